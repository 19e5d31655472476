import { describe, expect, it } from "vitest";
import { regeneratePoint } from "../../src/sessions/regenerate-point.js";

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
