import type { TranscriptMessage } from "../protocol/protocol-types.js";
import { RpcError } from "../protocol/rpc-error.js";

/**
 * A message whose every `run.start` went unanswered (a slow link, a dropped connection): its text is back in the
 * message box, but the server may have it and answer it later. Its key is its `client_message_id`.
 */
export interface UnconfirmedMessage {
  key: string;
  text: string;
  threadId: string;
  /** User message ids present when it was sent; a new one with the same text is its late confirmation. */
  knownUserIds: ReadonlySet<string>;
}

/** Whether `run.start` failed without an answer (the server may still have taken the message). */
export function isUnanswered(error: unknown): boolean {
  return error instanceof RpcError && (error.code === "disconnected" || error.code === "timeout");
}

/**
 * The `client_message_id` for sending `text` to `threadId`: the unconfirmed message's own when it is sent again
 * unchanged, so a server that did take it returns its run rather than storing it twice; a fresh one otherwise.
 */
export function sendKey(unconfirmed: UnconfirmedMessage | undefined, threadId: string, text: string): string {
  return unconfirmed && unconfirmed.threadId === threadId && unconfirmed.text === text ? unconfirmed.key : crypto.randomUUID();
}

/** Whether the unconfirmed message has arrived in its session after all (a user message the sender did not know of). */
export function hasArrived(unconfirmed: UnconfirmedMessage, threadId: string | undefined, messages: readonly TranscriptMessage[]): boolean {
  if (threadId !== unconfirmed.threadId) return false;
  return messages.some((message) => message.role === "user" && !unconfirmed.knownUserIds.has(message.id) && message.content === unconfirmed.text);
}

/** The message box's text once `text` was confirmed late: without it where it stands alone or ahead of later typing. */
export function withoutConfirmed(draft: string, text: string): string {
  if (draft.trim() === text) return "";
  return draft.startsWith(`${text}\n\n`) ? draft.slice(text.length + 2) : draft;
}
