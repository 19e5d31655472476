import { describe, expect, it } from "vitest";
import type { SessionNoticeFrame, Session, StatusNoticeFrame } from "../../web/src/protocol/protocol-types.js";
import { applySessionNotice, awaitsUser, isBlankSession, isListed, mergeSession, noticeNeedsList, shownSessions, trackUnlisted } from "../../web/src/state/session-list-notice.js";

function session(threadId: string, title: string, updatedAt = "2026-01-01T00:00:00.000Z"): Session {
  return { thread_id: threadId, window_id: null, assistant_id: "chat", title, status: "idle", metadata: {}, created_at: updatedAt, updated_at: updatedAt, last_activity_at: updatedAt };
}

function notice(kind: SessionNoticeFrame["notice"], threadId: string, thread: Session | null): SessionNoticeFrame {
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

  it("gives a session whose reply started or ended its status and activity time, and puts it first", () => {
    const status = (threadId: string, value: Session["status"], at: string): StatusNoticeFrame => ({ type: "notice", notice: "thread.status", thread_id: threadId, status: value, last_activity_at: at, created_at: "" });
    const busy = applySessionNotice(list, status("b", "busy", "2026-01-03T00:00:00.000Z"));
    expect(busy.map((entry) => [entry.thread_id, entry.status])).toEqual([["b", "busy"], ["a", "idle"]]);
    expect(busy[0]).toMatchObject({ title: "B", last_activity_at: "2026-01-03T00:00:00.000Z", updated_at: "2026-01-01T00:00:00.000Z" });
    // A rename that committed before the reply started comes after its notice: the title changes, the status stays.
    const renamed = applySessionNotice(busy, notice("thread.updated", "b", { ...session("b", "Tides", "2026-01-02T00:00:00.000Z"), last_activity_at: "2026-01-01T00:00:00.000Z" }));
    expect(renamed[0]).toMatchObject({ title: "Tides", status: "busy", last_activity_at: "2026-01-03T00:00:00.000Z" });
    // The start's notice arriving after the end's (they cross between instances) changes nothing.
    const idle = applySessionNotice(busy, status("b", "idle", "2026-01-03T00:00:05.000Z"));
    expect(applySessionNotice(idle, status("b", "busy", "2026-01-03T00:00:00.000Z"))).toBe(idle);
    expect(idle[0]?.status).toBe("idle");
    // Not listed (further down than the pages loaded): the list is reloaded instead, as the notice has no session.
    expect(applySessionNotice(list, status("z", "busy", "2026-01-03T00:00:00.000Z"))).toBe(list);
    expect(noticeNeedsList(list, status("z", "busy", "2026-01-03T00:00:00.000Z"))).toBe(true);
    expect(noticeNeedsList(list, status("a", "busy", "2026-01-03T00:00:00.000Z"))).toBe(false);
    expect(noticeNeedsList(list, notice("thread.updated", "z", session("z", "Z")))).toBe(false);
  });

  it("says a session awaits the user only when it is interrupted by a question, not by a stop that asks nothing", () => {
    const status = (value: Session["status"], at: string, awaiting?: boolean): StatusNoticeFrame =>
      ({ type: "notice", notice: "thread.status", thread_id: "a", status: value, last_activity_at: at, created_at: "", ...(awaiting === undefined ? {} : { awaiting_human: awaiting }) });
    const asked = applySessionNotice(list, status("interrupted", "2026-01-03T00:00:00.000Z", true));
    expect(awaitsUser(asked[0] as Session)).toBe(true);
    const stopped = applySessionNotice(list, status("interrupted", "2026-01-03T00:00:00.000Z", false));
    expect(stopped[0]).toMatchObject({ status: "interrupted", awaiting_human: false });
    expect(awaitsUser(stopped[0] as Session)).toBe(false);
    // The next reply's start clears it, and a server that does not say is taken at its status's word.
    expect(awaitsUser(applySessionNotice(asked, status("busy", "2026-01-03T00:00:05.000Z", false))[0] as Session)).toBe(false);
    expect(awaitsUser({ ...session("c", "C"), status: "interrupted" })).toBe(true);
    expect(awaitsUser(session("c", "C"))).toBe(false);
    // A session read older than the listed status keeps the status and its flag together.
    const older = { ...session("a", "A2", "2026-01-02T00:00:00.000Z"), status: "interrupted" as const, awaiting_human: true };
    expect(mergeSession(stopped[0] as Session, older)).toMatchObject({ title: "A2", status: "interrupted", awaiting_human: false });
  });

  it("never lists the thread of a stateless API call, and its replies cost no list reload", () => {
    const stateless = { ...session("s", "S"), metadata: { stateless: true } };
    expect(isListed(stateless)).toBe(false);
    expect(isListed(session("a", "A"))).toBe(true);
    const created = notice("thread.created", "s", stateless);
    expect(applySessionNotice(list, created)).toBe(list);
    const unlisted = new Set<string>();
    trackUnlisted(unlisted, created);
    expect([...unlisted]).toEqual(["s"]);
    const busy: StatusNoticeFrame = { type: "notice", notice: "thread.status", thread_id: "s", status: "busy", last_activity_at: "2026-01-03T00:00:00.000Z", created_at: "" };
    expect(noticeNeedsList(list, busy, unlisted)).toBe(false);
    expect(applySessionNotice(list, busy)).toBe(list);
    // Its title (a first run titles it) changes nothing either; a session made stateless by an update leaves the list.
    expect(applySessionNotice(list, notice("thread.updated", "s", { ...stateless, title: "Hello" }))).toBe(list);
    expect(applySessionNotice(list, notice("thread.updated", "a", { ...session("a", "A", "2026-01-02T00:00:00.000Z"), metadata: { stateless: true } })).map((entry) => entry.thread_id)).toEqual(["b"]);
    trackUnlisted(unlisted, notice("thread.deleted", "s", null));
    expect(unlisted.size).toBe(0);
  });
});

describe("blank sessions (never used: each new tab opens one)", () => {
  const blank = (threadId: string): Session => ({ ...session(threadId, ""), title: null, last_seq: 0, last_message_seq: 0 });

  it("are untitled, idle, without an event or a message; a server without last_message_seq has none", () => {
    expect(isBlankSession(blank("a"))).toBe(true);
    expect(isBlankSession({ ...blank("a"), title: "Named" })).toBe(false);
    // An assistant's greeting alone: nothing was said there yet (a user's message comes with its run's events).
    expect(isBlankSession({ ...blank("a"), last_message_seq: 1 })).toBe(true);
    expect(isBlankSession({ ...blank("a"), last_message_seq: 2 })).toBe(false);
    expect(isBlankSession({ ...blank("a"), last_seq: 3 })).toBe(false);
    expect(isBlankSession({ ...blank("a"), status: "busy" })).toBe(false);
    const older: Session = blank("a");
    delete older.last_message_seq;
    expect(isBlankSession(older)).toBe(false);
  });

  it("are shown only in the tab that has one open", () => {
    const list = [blank("mine"), session("used", "Used"), blank("other tab's")];
    expect(shownSessions(list, "mine").map((entry) => entry.thread_id)).toEqual(["mine", "used"]);
    expect(shownSessions(list, "used").map((entry) => entry.thread_id)).toEqual(["used"]);
    const none = [session("used", "Used")];
    expect(shownSessions(none, "used")).toBe(none);
  });

  it("stop being blank once a reply starts there, even one that leaves them untitled", () => {
    const busy = applySessionNotice([blank("b")], { type: "notice", notice: "thread.status", thread_id: "b", status: "busy", last_activity_at: "2026-01-03T00:00:00.000Z", created_at: "" });
    const idle = applySessionNotice(busy, { type: "notice", notice: "thread.status", thread_id: "b", status: "idle", last_activity_at: "2026-01-03T00:00:01.000Z", created_at: "" });
    expect(idle[0]?.title).toBeNull();
    expect(isBlankSession(idle[0] as Session)).toBe(false);
  });
});
