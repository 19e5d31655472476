/** Han, kana and Hangul runs: indexed as characters and character pairs (see migrations/005). */
const CJK_RUN = /[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]+/gu;

/** Longest query accepted, in characters. */
export const MAX_QUERY_CHARS = 500;

/** A search query split for the two halves of the search vector, plus the trigram parts. */
export interface SearchQuery {
  /** The query as typed, trimmed. */
  text: string;
  /** The non-CJK part, for `websearch_to_tsquery('english', …)` (quotes, OR and -exclusion work); "" when none. */
  words: string;
  /** A `to_tsquery('simple', …)` over CJK bigrams (each run a phrase); "" when the query has no CJK. */
  cjk: string;
  /** For `ILIKE '%…%'` (escaped), when the query is long enough for trigrams (3+ characters); else null. */
  substring: string | null;
  /** Terms to find in a hit's content for its snippet, longest first. */
  terms: string[];
  /**
   * The trigram fallback for typos, when nothing matches as text: the query's plain words, and its `-excluded`
   * words (which no fuzzy hit may contain either). Null when the query quotes a phrase (it asked for those exact
   * words) or has fewer than three characters of plain words.
   */
  fuzzy: { text: string; excluded: string } | null;
}

/** Split a query into its English words and its CJK runs. */
export function parseSearchQuery(raw: string): SearchQuery {
  const text = Array.from(raw.trim()).slice(0, MAX_QUERY_CHARS).join("");
  const runs = text.match(CJK_RUN) ?? [];
  const words = text.replace(CJK_RUN, " ").replace(/\s+/g, " ").trim();
  const cjk = runs.map(runQuery).join(" & ");
  const searchableWords = /[\p{L}\p{N}]/u.test(words) ? words : "";
  // Trigrams need three characters; a shorter query with neither words nor CJK ("%", "💥") still matches as a substring.
  const substring = Array.from(text).length >= 3 || (searchableWords === "" && cjk === "") ? `%${escapeLike(text)}%` : null;
  const wordTerms = words.split(/[^\p{L}\p{N}_]+/u).filter((word) => word.length >= 2 && !/^(or|and)$/i.test(word));
  const terms = [...new Set([text, ...runs, ...wordTerms])].sort((left, right) => right.length - left.length);
  return { text, words: searchableWords, cjk, substring, terms, fuzzy: fuzzyPart(searchableWords) };
}

/** The plain and the excluded words of `websearch_to_tsquery` syntax, for the trigram fallback (see `SearchQuery.fuzzy`). */
function fuzzyPart(words: string): SearchQuery["fuzzy"] {
  if (words.includes('"')) return null;
  const tokens = words.split(" ").filter((token) => token.length > 0);
  const excluded = tokens.filter((token) => token.startsWith("-") && token.length > 1).map((token) => token.slice(1));
  const text = tokens.filter((token) => !token.startsWith("-") && !/^or$/i.test(token)).join(" ");
  return text.length >= 3 ? { text, excluded: excluded.join(" or ") } : null;
}

/** One CJK run as a tsquery: a single character, or its bigrams as a phrase (two positions apart). */
function runQuery(run: string): string {
  const characters = Array.from(run);
  if (characters.length === 1) return `'${run}'`;
  const bigrams = characters.slice(0, -1).map((character, index) => `'${character}${characters[index + 1] ?? ""}'`);
  return bigrams.length === 1 ? (bigrams[0] ?? "") : `(${bigrams.join(" <2> ")})`;
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (character) => `\\${character}`);
}
