import type { TranscriptMessage } from "../protocol/protocol-types.js";
import { isDisplayed } from "./chat-timeline.js";

/** Where the chat shows a message: the row to scroll to, and the tool card to open when it is a tool result. */
export interface MessageAnchor {
  messageId: string;
  toolCallId?: string;
}

/**
 * The chat row that shows a transcript message (found by id, else by seq): the message itself, the assistant
 * message whose tool card holds a tool result, or for a row the chat does not draw (a system message) the
 * nearest drawn row before it, else after it. Undefined when the message is not loaded.
 */
export function anchorFor(messages: readonly TranscriptMessage[], target: { id: string; seq: number }): MessageAnchor | undefined {
  const index = indexOf(messages, target);
  const message = messages[index];
  if (!message) return undefined;
  if (isDisplayed(message)) return { messageId: message.id };
  if (message.role === "tool" && message.tool_call_id) {
    const callId = message.tool_call_id;
    const caller = messages.find((candidate) => candidate.role === "assistant" && candidate.tool_calls?.some((call) => call.id === callId));
    if (caller) return { messageId: caller.id, toolCallId: callId };
  }
  const before = messages.slice(0, index).reverse().find(isDisplayed);
  const after = messages.slice(index + 1).find(isDisplayed);
  const nearest = before ?? after;
  return nearest ? { messageId: nearest.id } : undefined;
}

function indexOf(messages: readonly TranscriptMessage[], target: { id: string; seq: number }): number {
  const byId = messages.findIndex((message) => message.id === target.id);
  return byId !== -1 ? byId : messages.findIndex((message) => message.seq === target.seq);
}
