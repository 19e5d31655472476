import type { BaseMessage } from "@langchain/core/messages";
import type { MessageTokens } from "./message-tokens.js";
import { describeMessage, type RunningSummary } from "./running-summary.js";

/** Longest line per folded message, in characters. */
export const SUMMARY_LINE_CHARS = 100;

const LINE_PREFIX = "- ";

/**
 * The summary without a model (the scripted fake model, imports of recorded conversations under it): one line
 * per folded message — who said what, shortened — oldest first. When the lines exceed the summary's token
 * limit, the oldest are dropped and the heading says how many are no longer listed. Same input, same text.
 */
export function foldDeterministically(previous: RunningSummary | undefined, folded: readonly BaseMessage[], limits: { maxTokens: number; tokens: MessageTokens }): string {
  const lines = [...previousLines(previous), ...folded.map((message) => `${LINE_PREFIX}${shorten(describeMessage(message))}`)];
  const total = (previous?.message_count ?? 0) + folded.length;
  const sizes = lines.map((line) => limits.tokens.text(line) + 1);
  let used = sizes.reduce((sum, size) => sum + size, 0);
  let first = 0;
  while (first < lines.length && used + limits.tokens.text(heading(total, first + (total - lines.length))) > limits.maxTokens) {
    used -= sizes[first] ?? 0;
    first += 1;
  }
  const omitted = total - (lines.length - first);
  return [heading(total, omitted), ...lines.slice(first)].join("\n");
}

function heading(total: number, omitted: number): string {
  const unlisted = omitted > 0 ? `, the oldest ${omitted} no longer listed` : "";
  return `${total} earlier messages, oldest first${unlisted}:`;
}

function previousLines(previous: RunningSummary | undefined): string[] {
  if (!previous) return [];
  return previous.text.split("\n").filter((line) => line.startsWith(LINE_PREFIX));
}

function shorten(line: string): string {
  const characters = Array.from(line);
  return characters.length <= SUMMARY_LINE_CHARS ? line : `${characters.slice(0, SUMMARY_LINE_CHARS - 1).join("")}…`;
}
