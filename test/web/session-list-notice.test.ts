import { describe, expect, it } from "vitest";
import type { NoticeFrame, Session } from "../../web/src/protocol/protocol-types.js";
import { applySessionNotice } from "../../web/src/state/session-list-notice.js";

function session(threadId: string, title: string, updatedAt = "2026-01-01T00:00:00.000Z"): Session {
  return { thread_id: threadId, window_id: null, assistant_id: "chat", title, status: "idle", metadata: {}, created_at: updatedAt, updated_at: updatedAt, last_activity_at: updatedAt };
}

function notice(kind: NoticeFrame["notice"], threadId: string, thread: Session | null): NoticeFrame {
  return { type: "notice", notice: kind, thread_id: threadId, thread, created_at: "" };
}

describe("a notice about one of the user's sessions", () => {
  const list = [session("a", "A"), session("b", "B")];

  it("puts a created session first, once", () => {
    const created = applySessionNotice(list, notice("thread.created", "c", session("c", "C")));
    expect(created.map((entry) => entry.thread_id)).toEqual(["c", "a", "b"]);
    // This tab opened it itself and listed it already: replaced in place, not listed twice.
    expect(applySessionNotice(created, notice("thread.created", "c", session("c", "C"))).map((entry) => entry.thread_id)).toEqual(["c", "a", "b"]);
  });

  it("replaces an updated session where it is, unless the list has a newer version or does not list it", () => {
    const renamed = applySessionNotice(list, notice("thread.updated", "b", session("b", "B2", "2026-01-02T00:00:00.000Z")));
    expect(renamed.map((entry) => entry.title)).toEqual(["A", "B2"]);
    expect(applySessionNotice(renamed, notice("thread.updated", "b", session("b", "B1", "2026-01-01T12:00:00.000Z")))).toBe(renamed);
    expect(applySessionNotice(list, notice("thread.updated", "z", session("z", "Z")))).toBe(list);
  });

  it("removes a deleted session; an unknown one changes nothing", () => {
    expect(applySessionNotice(list, notice("thread.deleted", "a", null)).map((entry) => entry.thread_id)).toEqual(["b"]);
    expect(applySessionNotice(list, notice("thread.deleted", "z", null))).toBe(list);
  });
});
