import { describe, expect, it } from "vitest";
import { answeredMessageId, regeneratePoint } from "../../src/sessions/regenerate-point.js";

const row = (checkpoint_id: string, role: string | null, next: string[]) => ({ checkpoint_id, next, last_message: role ? { role, text: "…" } : null });

describe("where the newest reply is generated again from", () => {
  it("is the newest checkpoint holding the user's message with nodes left to run", () => {
    // Newest first: the reply, the tool's result, the call, the input applied, the input itself.
    const answer = {
      checkpoints: [row("end", "assistant", []), row("tool", "tool", ["model"]), row("call", "assistant", ["tools"]), row("applied", "user", ["model"]), row("input", "assistant", ["__start__"])],
      next_before: null,
    };
    expect(regeneratePoint(answer)).toBe("applied");
    expect(regeneratePoint(answer.checkpoints)).toBe("applied");
  });

  it("is none without such a checkpoint (pruned, an empty thread) or in an answer of another shape", () => {
    expect(regeneratePoint({ checkpoints: [row("end", "assistant", []), row("first", null, ["__start__"])] })).toBeUndefined();
    expect(regeneratePoint({ checkpoints: [row("done", "user", [])] })).toBeUndefined();
    expect(regeneratePoint(null)).toBeUndefined();
    expect(regeneratePoint({ checkpoints: "nope" })).toBeUndefined();
  });
});

describe("the reply's own checkpoint", () => {
  const withId = (checkpoint_id: string, id: string, next: string[]) => ({ checkpoint_id, next, last_message: { id, role: "user", text: "…" } });

  it("is the one holding the message the newest reply answers; an older message's is refused (it would drop the turns after it)", () => {
    const answer = { checkpoints: [row("end", "assistant", []), withId("older-fork", "user-b", ["model"]), withId("b-applied", "user-b", ["model"])] };
    expect(regeneratePoint(answer, "user-b")).toBe("older-fork");
    // The newest reply answers user-c, whose checkpoint was pruned: the newest user checkpoint left is user-b's.
    expect(regeneratePoint(answer, "user-c")).toBeUndefined();
  });

  it("answeredMessageId: the nearest user message before a final assistant answer, none while a tool call is open", () => {
    const say = (id: string, role: string, tool_calls?: unknown[]) => ({ id, role, ...(tool_calls ? { tool_calls } : {}) });
    expect(answeredMessageId([say("u1", "user"), say("a1", "assistant"), say("u2", "user"), say("a2", "assistant", [{}]), say("t", "tool"), say("a3", "assistant")])).toBe("u2");
    expect(answeredMessageId([say("u1", "user"), say("a1", "assistant", [{}])])).toBeUndefined();
    expect(answeredMessageId([say("greeting", "assistant")])).toBeUndefined();
    expect(answeredMessageId([])).toBeUndefined();
  });
});
