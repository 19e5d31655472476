import type { BaseMessage } from "@langchain/core/messages";

/**
 * A message's text, read straight from its content (string, or the text blocks of a block list). LangChain's
 * `message.text` getter does the same but costs ~25 µs a call, which adds up over a working context every turn.
 */
export function plainText(message: BaseMessage): string {
  const content: unknown = message.content;
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  let text = "";
  for (const block of content as unknown[]) {
    if (typeof block === "string") text += block;
    else if (isTextBlock(block)) text += block.text;
  }
  return text;
}

/** A cheap fingerprint of the content's size, for caches keyed by message id. */
export function contentSize(message: BaseMessage): number {
  const content: unknown = message.content;
  if (typeof content === "string") return content.length;
  return Array.isArray(content) ? plainText(message).length + content.length * 65_536 : 0;
}

function isTextBlock(block: unknown): block is { type: "text"; text: string } {
  return typeof block === "object" && block !== null && (block as { type?: unknown }).type === "text" && typeof (block as { text?: unknown }).text === "string";
}
