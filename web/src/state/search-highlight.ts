/** A piece of a search snippet: plain text, or text that matched one of the query's terms. */
export interface HighlightPart {
  text: string;
  match: boolean;
}

/** CJK runs and runs of other letters or digits: the pieces the server matches separately (see docs/long-threads.md). */
const TERM_PIECE = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]+|[\p{L}\p{N}_]+/gu;
const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;

/**
 * The terms of a query worth marking in a snippet, longest first: each word as typed and its pieces (a CJK run
 * apart from the Latin word it touches), without the search syntax (quotes, `or`, `-excluded` words). Pieces of
 * one Latin character are left out, as the server leaves them out of its snippet terms.
 */
export function highlightTerms(query: string): string[] {
  const terms = new Set<string>();
  for (const token of query.replace(/"/g, " ").split(/\s+/)) {
    if (!token || token.startsWith("-") || /^(or|and)$/i.test(token)) continue;
    terms.add(token);
    for (const piece of token.match(TERM_PIECE) ?? []) {
      if (Array.from(piece).length >= 2 || CJK.test(piece)) terms.add(piece);
    }
  }
  return [...terms].sort((left, right) => right.length - left.length);
}

/**
 * Split `text` into plain and matching parts (case-insensitive, longest term first, never overlapping), for
 * rendering matches as `<mark>` elements around text nodes: the snippet is never parsed as HTML.
 * @example splitHighlights("Rain in Paris", ["rain"]) // [{text: "Rain", match: true}, {text: " in Paris", match: false}]
 */
export function splitHighlights(text: string, terms: readonly string[]): HighlightPart[] {
  const usable = terms.filter((term) => term.length > 0);
  if (usable.length === 0 || text.length === 0) return text ? [{ text, match: false }] : [];
  const pattern = new RegExp([...usable].sort((left, right) => right.length - left.length).map(escapeRegExp).join("|"), "giu");
  const parts: HighlightPart[] = [];
  let position = 0;
  for (const found of text.matchAll(pattern)) {
    const start = found.index;
    if (start > position) parts.push({ text: text.slice(position, start), match: false });
    parts.push({ text: found[0], match: true });
    position = start + found[0].length;
  }
  if (position < text.length) parts.push({ text: text.slice(position), match: false });
  return parts;
}

/** A snippet split by the terms of the query it answered. */
export function highlightSnippet(snippet: string, query: string): HighlightPart[] {
  return splitHighlights(snippet, highlightTerms(query));
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
