/** Characters of context on each side of the match in a snippet. */
const CONTEXT_CHARS = 60;

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
    return excerpt(characters, start - CONTEXT_CHARS, start + Array.from(term).length + CONTEXT_CHARS);
  }
  return excerpt(characters, 0, HEAD_CHARS);
}

function excerpt(characters: string[], from: number, to: number): string {
  const start = Math.max(0, from);
  const end = Math.min(characters.length, to);
  const text = characters.slice(start, end).join("").replace(/\s+/g, " ").trim();
  return `${start > 0 ? "…" : ""}${text}${end < characters.length ? "…" : ""}`;
}
