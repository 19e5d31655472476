import type { TokenCounter } from "./token-counter.js";

/** Marks where text was cut to fit a budget; the model sees it, so it knows something is missing. */
export const TRUNCATION_MARKER = " […truncated to fit the context budget…] ";

/**
 * The text cut in the middle (head two thirds, tail one third, the marker between) to at most `maxTokens`.
 * Binary search over the kept length: O(log n) counts. Code points are never split.
 */
export function truncateToTokens(text: string, maxTokens: number, counter: TokenCounter): string {
  if (counter.count(text) <= maxTokens) return text;
  const characters = Array.from(text);
  const cut = (kept: number) => {
    const head = Math.ceil((kept * 2) / 3);
    return `${characters.slice(0, head).join("")}${TRUNCATION_MARKER}${characters.slice(characters.length - (kept - head)).join("")}`;
  };
  // Not even the marker fits: nothing of the text can be kept.
  if (counter.count(cut(0)) > maxTokens) return "";
  let low = 0;
  let high = characters.length - 1;
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    if (counter.count(cut(middle)) <= maxTokens) low = middle;
    else high = middle - 1;
  }
  return cut(low);
}
