import type { NoticeFrame, Session, StatusNoticeFrame } from "../protocol/protocol-types.js";

/**
 * Whether the list shows a session: not a thread made for one stateless API call (`POST /runs/wait` and the like,
 * `metadata.stateless`), which is no chat of the user's and usually lives only as long as that call.
 */
export function isListed(session: Session): boolean {
  return session.metadata.stateless !== true;
}

/**
 * Whether a session was never used: untitled, idle, without an event and without a message but its assistant's
 * greeting (`first_message`, stored as the first message when the session is made; a user's message always comes
 * with its run's events). Each new tab opens one, so the list shows such a session only in the tab that has it open
 * (`shownSessions`); a server older than `last_message_seq` never has one.
 */
export function isBlankSession(session: Session): boolean {
  const messages = session.last_message_seq;
  return session.title === null && session.status === "idle" && session.last_seq === 0 && messages !== undefined && messages <= 1;
}

/** The sessions the sidebar shows: all but the blank ones (`isBlankSession`) other than the tab's own. */
export function shownSessions(sessions: Session[], currentId: string | undefined): Session[] {
  const shown = sessions.filter((session) => session.thread_id === currentId || !isBlankSession(session));
  return shown.length === sessions.length ? sessions : shown;
}

/**
 * The session list after a notice about one of the user's threads: a created one goes first (the newest
 * activity), an updated one is replaced where it is — unless the list already has a newer version of it (two
 * quick renames may arrive out of order) or does not list it (it is further down than the pages loaded) — a
 * deleted one leaves, and one whose reply started or ended (`thread.status`) takes its new status and moves to the
 * top (newest activity first). Returns the same array when nothing changes, so the page does not redraw for nothing.
 */
export function applySessionNotice(sessions: Session[], notice: NoticeFrame): Session[] {
  const index = sessions.findIndex((session) => session.thread_id === notice.thread_id);
  const known = sessions[index];
  if (notice.notice === "thread.status") return known ? withStatus(sessions, known, notice) : sessions;
  if (notice.notice === "thread.deleted" || !notice.thread) return known ? sessions.filter((session) => session.thread_id !== notice.thread_id) : sessions;
  const incoming = notice.thread;
  if (!isListed(incoming)) return known ? sessions.filter((session) => session.thread_id !== notice.thread_id) : sessions;
  if (!known) return notice.notice === "thread.created" ? [incoming, ...sessions] : sessions;
  if (Date.parse(incoming.updated_at) < Date.parse(known.updated_at)) return sessions;
  const next = [...sessions];
  next[index] = mergeSession(known, incoming);
  return next;
}

/**
 * A newer read of a session over the one listed. Its title and metadata are versioned by `updated_at` (the caller's
 * business), its status by `last_activity_at`: a rename that committed just before a reply started carries the
 * status from before it, and arrives after the reply's `thread.status` — the listed status, with its later
 * activity time, stays.
 */
export function mergeSession(known: Session, incoming: Session): Session {
  if (Date.parse(known.last_activity_at) <= Date.parse(incoming.last_activity_at)) return incoming;
  return { ...incoming, status: known.status, awaiting_human: known.awaiting_human, last_activity_at: known.last_activity_at };
}

/**
 * Whether the session waits for the user (an approval, or a breakpoint): `interrupted` alone does not say, since a
 * run stopped by an API client's `run.cancel {action: "interrupt"}` leaves it too, asking nothing.
 */
export function awaitsUser(session: Session): boolean {
  return session.status === "interrupted" && session.awaiting_human !== false;
}

/**
 * Whether a notice is about a session the list should show but does not have: a reply on a session further down
 * than the pages loaded makes it the newest activity (the caller reloads the list; the notice has no session).
 * `unlisted`: threads the list knows it does not show (`isListed`), whose replies need no reload.
 */
export function noticeNeedsList(sessions: Session[], notice: NoticeFrame, unlisted: ReadonlySet<string> = new Set()): boolean {
  return notice.notice === "thread.status" && !unlisted.has(notice.thread_id) && !sessions.some((session) => session.thread_id === notice.thread_id);
}

/** Keep `unlisted` (see `noticeNeedsList`) up to date with a notice: a stateless call's thread joins it, a deleted one leaves. */
export function trackUnlisted(unlisted: Set<string>, notice: NoticeFrame): void {
  if (notice.notice === "thread.deleted") unlisted.delete(notice.thread_id);
  else if (notice.notice !== "thread.status" && notice.thread && !isListed(notice.thread)) unlisted.add(notice.thread_id);
}

function withStatus(sessions: Session[], known: Session, notice: StatusNoticeFrame): Session[] {
  // Two notices of one thread can cross (instances pass them on independently): the older activity loses.
  if (Date.parse(notice.last_activity_at) < Date.parse(known.last_activity_at)) return sessions;
  // A status change means a run started on the thread, and its events have seqs: the session is no longer blank.
  const changed: Session = {
    ...known,
    status: notice.status,
    awaiting_human: notice.awaiting_human,
    last_activity_at: notice.last_activity_at,
    last_seq: Math.max(known.last_seq ?? 0, 1),
  };
  return [changed, ...sessions.filter((session) => session.thread_id !== known.thread_id)];
}
