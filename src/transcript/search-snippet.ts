import { eastAsianWidth } from "get-east-asian-width";

/**
 * Context around the match, in columns: a Chinese, Japanese or Korean character takes two, as on screen. Counted in
 * characters, 60 of them before a Chinese match filled the sidebar's three snippet lines and pushed the match out
 * of sight; 40 columns before keep it on the first two lines in every script.
 */
const BEFORE_COLUMNS = 40;
const AFTER_COLUMNS = 80;

/** Longest snippet when no term is found (a fuzzy or stemmed match): the start of the content. */
const HEAD_CHARS = 160;

/**
 * A short excerpt of `content` around the first occurrence of the first term found (terms longest first,
 * compared case-insensitively), with `…` where it was cut. Code points are never split.
 */
export function snippetAround(content: string, terms: readonly string[]): string {
  const characters = Array.from(content);
  const lower = Array.from(content.toLowerCase());
  const flat = characters.length === lower.length ? lower.join("") : null;
  for (const term of terms) {
    if (!flat) break;
    const at = flat.indexOf(term.toLowerCase());
    if (at < 0) continue;
    // indexOf counts UTF-16 units; convert to a code point index.
    const start = Array.from(flat.slice(0, at)).length;
    const end = start + Array.from(term).length;
    return excerpt(characters, start - charactersWithin(characters, start, -1, BEFORE_COLUMNS), end + charactersWithin(characters, end, 1, AFTER_COLUMNS));
  }
  return excerpt(characters, 0, HEAD_CHARS);
}

/** How many characters from `at` (going back with `step` -1, forward with 1) fit in `columns`. */
function charactersWithin(characters: readonly string[], at: number, step: 1 | -1, columns: number): number {
  let used = 0;
  let count = 0;
  for (let index = step === 1 ? at : at - 1; index >= 0 && index < characters.length; index += step) {
    used += eastAsianWidth(characters[index]?.codePointAt(0) ?? 0);
    if (used > columns) break;
    count += 1;
  }
  return count;
}

function excerpt(characters: string[], from: number, to: number): string {
  const start = Math.max(0, from);
  const end = Math.min(characters.length, to);
  const text = characters.slice(start, end).join("").replace(/\s+/g, " ").trim();
  return `${start > 0 ? "…" : ""}${text}${end < characters.length ? "…" : ""}`;
}
