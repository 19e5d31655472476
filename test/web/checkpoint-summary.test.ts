import { describe, expect, it } from "vitest";
import { checkpointLine, roleName, stateMessageText } from "../../web/src/components/checkpoint-wording.js";
import { createTranslator } from "../../web/src/i18n/translator.js";
import { toCheckpointState } from "../../web/src/state/checkpoint-state.js";
import { markBranches } from "../../web/src/state/checkpoint-branches.js";
import { checkpointItems, toCheckpointSummary } from "../../web/src/state/checkpoint-summary.js";

const english = createTranslator("en");
const chinese = createTranslator("zh-CN");

describe("checkpoint summaries (timeline rows)", () => {
  it("reads the server's flat summary: node from `nodes` (or the source), summary from `last_message`", () => {
    const row = {
      checkpoint_id: "c3",
      parent_checkpoint_id: "c2",
      created_at: "2026-01-01T10:00:00.000Z",
      step: 3,
      source: "loop",
      nodes: ["tools"],
      next: ["model"],
      message_count: 4,
      last_message: { role: "tool", text: "42" },
    };
    const summary = toCheckpointSummary(row);
    expect(summary).toEqual({
      checkpoint_id: "c3",
      created_at: "2026-01-01T10:00:00.000Z",
      node: "tools",
      step: 3,
      lastMessage: { role: "tool", text: "42", toolNames: [] },
      messageCount: 4,
      parentId: "c2",
    });
    expect(summary && checkpointLine(summary, english)).toBe("tool: 42");
    expect(summary && checkpointLine(summary, chinese)).toBe("工具：42");
    const input = toCheckpointSummary({ ...row, source: "input", nodes: [], next: ["__start__"], last_message: null, step: -1 });
    expect(input?.node).toBe("input");
    expect(input?.summary ?? input?.lastMessage).toBeUndefined();
    expect(input && checkpointLine(input, english)).toBeUndefined();
    const long = toCheckpointSummary({ ...row, last_message: { role: "user", text: `line one\n${"x".repeat(300)}` } });
    const longLine = long && checkpointLine(long, english);
    expect(longLine).toMatch(/^user: line one x+…$/);
    expect(longLine?.length).toBeLessThan(120);
  });

  it("names the tools an assistant message calls instead of showing it as text-less", () => {
    const line = (last_message: unknown, i18n = english) => {
      const summary = toCheckpointSummary({ checkpoint_id: "c4", nodes: ["model"], last_message });
      return summary && checkpointLine(summary, i18n);
    };
    expect(line({ role: "assistant", text: "", tool_calls: ["calculator"] })).toBe("assistant: calls calculator");
    expect(line({ role: "assistant", text: "Let me check.", tool_calls: ["calculator", "get_current_time"] })).toBe("assistant: Let me check. · calls calculator, get_current_time");
    expect(line({ role: "assistant", text: "" })).toBe("assistant: (no text)");
    expect(line({ role: "assistant", text: "", tool_calls: ["calculator"] }, chinese)).toBe("助手：调用 calculator");
    // A role the page does not know is shown as the server wrote it.
    expect(line({ role: "critic", text: "ok" }, chinese)).toBe("critic：ok");
  });

  it("still reads LangGraph's StateSnapshot shape", () => {
    const snapshot = { config: { configurable: { checkpoint_id: "c9" } }, metadata: { step: 2, source: "loop" }, next: [], values: { messages: [{ content: "hi" }] } };
    expect(toCheckpointSummary(snapshot)).toMatchObject({ checkpoint_id: "c9", step: 2, node: "loop", summary: "hi" });
  });

  it("pages with the server's next_before, and stops when it is null even after a full page", () => {
    const checkpoints = [{ checkpoint_id: "c2" }, { checkpoint_id: "c1" }];
    expect(checkpointItems({ checkpoints, next_before: "c1" }, 2).nextBefore).toBe("c1");
    expect(checkpointItems({ checkpoints, next_before: null }, 2).nextBefore).toBeUndefined();
  });

  it("pages with `before` = the oldest item when a page is full and the answer has no cursor", () => {
    const answer = { checkpoints: [{ checkpoint_id: "c2" }, { checkpoint_id: "c1" }] };
    expect(checkpointItems(answer, 2).nextBefore).toBe("c1");
    expect(checkpointItems(answer, 3).nextBefore).toBeUndefined();
  });

  it("turns a state.get answer into readable messages", () => {
    const state = {
      next: ["tools"],
      values: {
        messages: [
          { type: "human", content: "mail Ada" },
          { type: "ai", content: "", tool_calls: [{ name: "send_email", args: { to: "ada@example.com" } }] },
          { type: "tool", name: "send_email", content: "sent" },
        ],
      },
    };
    const read = toCheckpointState(state);
    expect(read).toEqual({
      next: ["tools"],
      messages: [
        { role: "user", text: "mail Ada" },
        { role: "assistant", text: "", calls: 'send_email({"to":"ada@example.com"})' },
        { role: "tool", toolName: "send_email", text: "sent" },
      ],
    });
    const lines = (i18n = english) => read.messages.map((message) => `${roleName(message.role, i18n, message.toolName)} ${stateMessageText(message, i18n)}`);
    expect(lines()).toEqual(["user mail Ada", 'assistant calls send_email({"to":"ada@example.com"})', "tool send_email sent"]);
    expect(lines(chinese)).toEqual(["用户 mail Ada", '助手 调用 send_email({"to":"ada@example.com"})', "工具 send_email sent"]);
  });
});

describe("a checkpoint's running summary", () => {
  it("is read from values.summary, with how many messages it stands for", () => {
    const state = { values: { messages: [{ type: "human", content: "latest" }], summary: { text: "Ada likes tulips.", message_count: 40, through_message_id: "m40" } }, next: [] };
    expect(toCheckpointState(state)).toEqual({ summary: { text: "Ada likes tulips.", messageCount: 40 }, messages: [{ role: "user", text: "latest" }], next: [] });
    expect(toCheckpointState({ values: { messages: [], summary: { text: "" } }, next: [] })).toEqual({ messages: [], next: [] });
  });
});

describe("branches in the timeline", () => {
  const row = (checkpoint_id: string, parentId?: string) => ({ checkpoint_id, ...(parentId ? { parentId } : {}) });

  it("a linear history is one branch with no marks", () => {
    const marked = markBranches([row("c3", "c2"), row("c2", "c1"), row("c1")]);
    expect(marked.map((item) => [item.checkpoint_id, item.onCurrentBranch, item.branchFrom])).toEqual([
      ["c3", true, undefined],
      ["c2", true, undefined],
      ["c1", true, undefined],
    ]);
  });

  it("a replay from c2 starts a branch; the rows it left behind are off the current branch", () => {
    // Newest first, by time: the new branch (n2, n1 from c2) above the old one (c4, c3 after c2).
    const marked = markBranches([row("n2", "n1"), row("n1", "c2"), row("c4", "c3"), row("c3", "c2"), row("c2", "c1"), row("c1")]);
    expect(marked.map((item) => [item.checkpoint_id, item.onCurrentBranch, item.branchFrom])).toEqual([
      ["n2", true, undefined],
      ["n1", true, "c2"],
      ["c4", false, undefined],
      ["c3", false, undefined],
      ["c2", true, undefined],
      ["c1", true, undefined],
    ]);
  });

  it("reads the parent from the server's summary and from LangGraph's snapshot shapes", () => {
    expect(toCheckpointSummary({ checkpoint_id: "b", parent_checkpoint_id: "a" })?.parentId).toBe("a");
    expect(toCheckpointSummary({ config: { configurable: { checkpoint_id: "b" } }, parent_config: { configurable: { checkpoint_id: "a" } } })?.parentId).toBe("a");
    expect(toCheckpointSummary({ checkpoint: { checkpoint_id: "b" }, parent_checkpoint: { checkpoint_id: "a" } })?.parentId).toBe("a");
    expect(toCheckpointSummary({ checkpoint_id: "first", parent_checkpoint_id: null })?.parentId).toBeUndefined();
  });
});
