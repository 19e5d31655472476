import type { Session } from "./session.js";

/**
 * A session nothing happened in: untitled, idle, no event and no message but its assistant's greeting (a user's
 * message always comes with its run's events). Every web tab opens one for its window, so lists meant for a
 * person (the terminal's `/sessions`) leave them out; the web page's `isBlankSession` is the same rule.
 */
export function isBlankSession(session: Pick<Session, "title" | "status" | "last_seq" | "last_message_seq">): boolean {
  return session.title === null && session.status === "idle" && session.last_seq === 0 && session.last_message_seq <= 1;
}
