/** Han, kana and Hangul runs: indexed as characters and character pairs (see migrations/005). */
const CJK_RUN = /[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]+/gu;

/** A CJK character followed by spaces and another: the spaces go inside a quoted phrase. */
const CJK_SPACED = /([\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff])\s+(?=[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff])/gu;

/** Longest query accepted, in characters. */
export const MAX_QUERY_CHARS = 500;

/**
 * One searched term: its English words (for `websearch_to_tsquery('english', …)`, quotes kept for a phrase) and
 * its CJK runs (a `to_tsquery('simple', …)` over bigrams, each run a phrase); a term with both needs both.
 */
export interface SearchTerm {
  words: string;
  cjk: string;
}

/** Terms joined by `or`; a negated clause (`-term`) excludes the messages that match it. */
export interface SearchClause {
  negated: boolean;
  alternatives: SearchTerm[];
}

/** A search query split for the search vector's two halves, plus the trigram parts. */
export interface SearchQuery {
  /** The query as typed, trimmed. */
  text: string;
  /**
   * The query in `websearch_to_tsquery`'s syntax — quoted phrases, `or`, `-exclusion` — with each term split into
   * its English and CJK halves, so the operators apply to Chinese words as to English ones. All clauses must hold.
   */
  clauses: SearchClause[];
  /** For `ILIKE '%…%'` (escaped), when the query is long enough for trigrams (3+ characters); else null. */
  substring: string | null;
  /** Terms to find in a hit's content for its snippet, longest first (excluded terms are not among them). */
  terms: string[];
  /**
   * The trigram fallback for typos, when nothing matches as text: the query's positive clauses, each term's words
   * to be matched fuzzily one by one and its CJK words literally (no fuzzy hit may match a negated clause either),
   * and `text`, those words together, to rank by. Null when the query quotes a phrase (it asked for those exact
   * words) or has no word of `MIN_FUZZY_LETTERS` letters (no typo to find).
   */
  fuzzy: { text: string; clauses: FuzzyTerm[][] } | null;
}

/** One term of the fuzzy fallback: each of `words` near a word of the message, and `cjk` (bigram tsquery) in it. */
export interface FuzzyTerm {
  words: string[];
  cjk: string;
}

/** A token of the query: a quoted phrase or a bare word, maybe negated. */
interface Token {
  text: string;
  quoted: boolean;
  negated: boolean;
}

/** Parse a query: its clauses, substring, snippet terms and fuzzy fallback. */
export function parseSearchQuery(raw: string): SearchQuery {
  const text = Array.from(raw.trim()).slice(0, MAX_QUERY_CHARS).join("");
  const clauses = toClauses(tokenize(text));
  const positive = clauses.filter((clause) => !clause.negated).flatMap((clause) => clause.alternatives);
  const searchable = clauses.length > 0;
  // Trigrams need three characters; a query with no searchable term ("%", "💥") still matches as a substring.
  const substring = Array.from(text).length >= 3 || !searchable ? `%${escapeLike(text)}%` : null;
  const positiveText = positive.map((term) => `${term.words} ${term.cjkText}`).join(" ");
  const runs = positiveText.match(CJK_RUN) ?? [];
  const wordTerms = positiveText.replace(CJK_RUN, " ").split(/[^\p{L}\p{N}_]+/u).filter((word) => word.length >= 2);
  const terms = [...new Set([text, ...runs, ...wordTerms])].sort((left, right) => right.length - left.length);
  const plain = clauses.map(({ negated, alternatives }) => ({ negated, alternatives: alternatives.map(({ words: english, cjk }) => ({ words: english, cjk })) }));
  return { text, clauses: plain, substring, terms, fuzzy: text.includes('"') ? null : fuzzyPart(plain) };
}

/** Quoted phrases and whitespace-separated words, each maybe negated by a leading `-`. */
function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  const pattern = /(-?)"([^"]*)"?|(\S+)/gu;
  for (const match of text.matchAll(pattern)) {
    if (match[3] !== undefined) {
      const bare = match[3];
      const negated = bare.startsWith("-") && bare.length > 1;
      tokens.push({ text: negated ? bare.slice(1) : bare, quoted: false, negated });
    } else tokens.push({ text: match[2] ?? "", quoted: true, negated: match[1] === "-" });
  }
  return tokens;
}

/** `a b or c -d` → a AND (b OR c) AND NOT d, as `websearch_to_tsquery` reads it. */
function toClauses(tokens: Token[]): (SearchClause & { alternatives: (SearchTerm & { cjkText: string })[] })[] {
  const clauses: (SearchClause & { alternatives: (SearchTerm & { cjkText: string })[] })[] = [];
  let joinNext = false;
  for (const token of tokens) {
    if (!token.quoted && !token.negated && /^or$/i.test(token.text)) {
      joinNext = clauses.length > 0;
      continue;
    }
    const term = toTerm(token);
    if (!term) continue;
    const previous = clauses.at(-1);
    if (joinNext && previous && !previous.negated && !token.negated) previous.alternatives.push(term);
    else clauses.push({ negated: token.negated, alternatives: [term] });
    joinNext = false;
  }
  return clauses;
}

/** A token's English and CJK halves; undefined when it has neither (punctuation alone). */
function toTerm(token: Token): (SearchTerm & { cjkText: string }) | undefined {
  // In quotes, CJK words separated by spaces are one phrase: "北京 天气" asks for 北京天气 as written.
  const source = token.quoted ? token.text.replace(CJK_SPACED, "$1") : token.text;
  const found = source.match(CJK_RUN) ?? [];
  // Unquoted, a run of Chinese is read as its two-character words, each required: it is written without spaces, so
  // 北京天气 means 北京 and 天气 (as in 北京的天气). Ranking (cover density) still puts them side by side first.
  const runs = token.quoted ? found : found.flatMap(splitAtParticles).flatMap(twoCharacterWords);
  const rest = source.replace(CJK_RUN, " ").replace(/\s+/g, " ").trim();
  const words = /[\p{L}\p{N}]/u.test(rest) ? (token.quoted ? `"${rest.replace(/"/g, "")}"` : rest.replace(/^-+/, "")) : "";
  const cjk = runs.map(runQuery).join(" & ");
  if (words === "" && cjk === "") return undefined;
  return { words, cjk, cjkText: runs.join(" ") };
}

/** Fuzzy matches need this word similarity (pg_trgm), from 0 to 1. */
export const FUZZY_THRESHOLD = 0.5;
/**
 * Fewer letters get no fuzzy fallback: a short word shares its first trigrams (`  c`, ` ca`) with every word that
 * starts like it, so at 0.5 `cat` found calculator and colour, and a 4–5 letter typo scores no better than a prefix
 * of another word (`pythn`/python 0.67, `calcx`/calculator 0.67, `helo`/hello 0.6).
 */
export const MIN_FUZZY_LETTERS = 6;

/**
 * The trigram fallback of a query without quotes (see `SearchQuery.fuzzy`): its positive clauses as they are, `or`
 * included, so every clause must still hold — each word near one of the message's on its own (the whole string's
 * similarity let a long near-miss carry a word the message lacks), each CJK word present as written (stripping them
 * let `北京 question` find a question with no 北京).
 */
function fuzzyPart(clauses: readonly SearchClause[]): SearchQuery["fuzzy"] {
  const required = clauses.filter((clause) => !clause.negated).map((clause) => clause.alternatives.map(({ words, cjk }) => ({ words: words.split(" ").filter((word) => /[\p{L}\p{N}]/u.test(word)), cjk })));
  const words = required.flat().flatMap((term) => term.words);
  if (!words.some((word) => Array.from(word).length >= MIN_FUZZY_LETTERS)) return null;
  return { text: words.join(" "), clauses: required };
}


/** One CJK run as a tsquery: a single character, or its bigrams as a phrase (two positions apart). */
function runQuery(run: string): string {
  const characters = Array.from(run);
  if (characters.length === 1) return `'${run}'`;
  const bigrams = characters.slice(0, -1).map((character, index) => `'${character}${characters[index + 1] ?? ""}'`);
  return bigrams.length === 1 ? (bigrams[0] ?? "") : `(${bigrams.join(" <2> ")})`;
}

/** Grammatical particles a phrase puts between its words (杭州的天气: 杭州, 天气), which the message need not repeat. */
const PARTICLES = new Set(["的", "了", "和", "吗", "呢", "吧", "啊"]);

/**
 * A CJK run split at its particles where both sides keep two characters or more: 杭州的天气 → 杭州, 天气 (so
 * 我住在杭州，今天天气… matches), 北京和上海的天气 → 北京, 上海, 天气; 目的, 的确, 和平 and 我的 stay whole.
 */
function splitAtParticles(run: string): string[] {
  const characters = Array.from(run);
  for (let index = 2; index < characters.length - 2; index += 1) {
    if (!PARTICLES.has(characters[index] ?? "")) continue;
    return [characters.slice(0, index).join(""), ...splitAtParticles(characters.slice(index + 1).join(""))];
  }
  return [run];
}

/** A CJK run as two-character words (an odd last character alone): 天气预报说 → 天气, 预报, 说. */
function twoCharacterWords(run: string): string[] {
  const characters = Array.from(run);
  if (characters.length < 3) return [run];
  const words: string[] = [];
  for (let index = 0; index < characters.length; index += 2) words.push(characters.slice(index, index + 2).join(""));
  return words;
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (character) => `\\${character}`);
}
