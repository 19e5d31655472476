import { describe, expect, it } from "vitest";
import type { TranscriptMessage } from "../../web/src/protocol/protocol-types.js";
import { anchorFor } from "../../web/src/state/message-anchor.js";

const row = (seq: number, role: TranscriptMessage["role"], extra: Partial<TranscriptMessage> = {}): TranscriptMessage => ({
  id: `m${seq}`,
  seq,
  role,
  content: `message ${seq}`,
  run_id: "r1",
  created_at: "2026-01-01T10:00:00.000Z",
  ...extra,
});

describe("anchorFor (the chat row a search hit scrolls to)", () => {
  const messages = [
    row(1, "system"),
    row(2, "user"),
    row(3, "assistant", { content: "", tool_calls: [{ id: "call-1", name: "calculator", args: {} }] }),
    row(4, "tool", { tool_call_id: "call-1", name: "calculator", content: "42" }),
    row(5, "assistant", { content: "" }),
    row(6, "assistant"),
  ];

  it("is the message itself when the chat draws it, found by id or else by seq", () => {
    expect(anchorFor(messages, { id: "m2", seq: 2 })).toEqual({ messageId: "m2" });
    expect(anchorFor(messages, { id: "other-id", seq: 6 })).toEqual({ messageId: "m6" });
  });

  it("is the calling assistant message, with its tool card, for a tool result", () => {
    expect(anchorFor(messages, { id: "m4", seq: 4 })).toEqual({ messageId: "m3", toolCallId: "call-1" });
  });

  it("is the nearest drawn row for a row the chat does not draw", () => {
    expect(anchorFor(messages, { id: "m5", seq: 5 })).toEqual({ messageId: "m3" });
    expect(anchorFor(messages, { id: "m1", seq: 1 })).toEqual({ messageId: "m2" });
  });

  it("is undefined when the message is not loaded", () => {
    expect(anchorFor(messages, { id: "m9", seq: 9 })).toBeUndefined();
    expect(anchorFor([], { id: "m1", seq: 1 })).toBeUndefined();
  });
});
