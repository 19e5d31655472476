import type { NoticeFrame, Session } from "../protocol/protocol-types.js";

/**
 * The session list after a notice about one of the user's threads: a created one goes first (the newest
 * activity), an updated one is replaced where it is — unless the list already has a newer version of it (two
 * quick renames may arrive out of order) or does not list it (it is further down than the pages loaded) — and a
 * deleted one leaves. Returns the same array when nothing changes, so the page does not redraw for nothing.
 */
export function applySessionNotice(sessions: Session[], notice: NoticeFrame): Session[] {
  const index = sessions.findIndex((session) => session.thread_id === notice.thread_id);
  const known = sessions[index];
  if (notice.notice === "thread.deleted" || !notice.thread) return known ? sessions.filter((session) => session.thread_id !== notice.thread_id) : sessions;
  const incoming = notice.thread;
  if (!known) return notice.notice === "thread.created" ? [incoming, ...sessions] : sessions;
  if (Date.parse(incoming.updated_at) < Date.parse(known.updated_at)) return sessions;
  const next = [...sessions];
  next[index] = incoming;
  return next;
}
