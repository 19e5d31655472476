import type pg from "pg";
import { AppError } from "../errors/app-error.js";
import { FUZZY_THRESHOLD, type FuzzyTerm, parseSearchQuery, type SearchClause, type SearchQuery, type SearchTerm } from "./search-query.js";
import { snippetAround } from "./search-snippet.js";
import type { TranscriptMessage } from "./transcript-message.js";
import { toTranscriptMessage, type TranscriptRow } from "./transcript-row.js";

/** One matching message, with where it is and how well it matched. */
export interface SearchHit extends TranscriptMessage {
  thread_id: string;
  thread_title: string | null;
  /** Higher is better: full-text rank, plus an exact-substring bonus, plus trigram similarity. */
  score: number;
  /** `text` (words, CJK characters or the exact substring) or `fuzzy` (trigram similarity, when no text matched). */
  match: "text" | "fuzzy";
  /** Up to ~160 characters of the content around the first match. */
  snippet: string;
}

/** What to search: a query, the caller, and optionally some of the caller's threads. */
export interface SearchRequest {
  userId: string;
  query: string;
  /** @default 20 */
  limit?: number;
  /** Only these threads (the caller's; others are ignored). */
  threadIds?: readonly string[];
}

/**
 * Matches are collected among the most recent this-many matching messages of the scope, then ranked, so a
 * query that matches everything ("you") costs a bounded amount.
 */
export const MAX_CANDIDATES = 500;

/**
 * A scope of at most this many messages is searched by reading them all (~50 µs each for the search vector: 0.1 s
 * at most), whatever the other users' transcripts hold; a larger one goes through the indexes.
 */
export const SMALL_SCOPE_MESSAGES = 2_000;


interface HitRow extends TranscriptRow {
  thread_id: string;
  thread_title: string | null;
  score: number;
}

const COLUMNS = `m.thread_id, t.title AS thread_title, m.message_id, m.seq, m.role, m.content, m.tool_calls, m.tool_call_id,
       m.name, m.status, m.args, m.started_at, m.run_id, m.created_at, m.edited_at`;

/**
 * Ranked search over the transcript, within a user's threads: Postgres full-text search for English words, CJK
 * character bigrams for Chinese/Japanese/Korean (both in one GIN expression index), and pg_trgm for exact
 * substrings and, when nothing matches as text, fuzzy matches. Works the same on Postgres and embedded PGlite.
 */
export class TranscriptSearch {
  private statistics: Promise<void> | undefined;

  constructor(private readonly pool: pg.Pool) {}

  /** The best matches, best first (ties: newest first). */
  async search(request: SearchRequest): Promise<SearchHit[]> {
    const query = parseSearchQuery(request.query);
    if (query.text.length === 0) throw new AppError("invalid_request", "The search query is empty");
    // Statistics only help the planner: a failure here must not fail the search.
    await (this.statistics ??= this.ensureStatistics().catch(() => undefined));
    const limit = request.limit ?? 20;
    const exact = await this.exactMatches(query, { ...request, limit });
    // Fuzzy matching is for typos: only when nothing matches as text (it would otherwise drown good hits).
    if (exact.length > 0 || !query.fuzzy) return exact.map((row) => toHit(row, query, "text"));
    return (await this.fuzzyMatches({ ...query, fuzzy: query.fuzzy }, { ...request, limit })).map((row) => toHit(row, query, "fuzzy"));
  }

  /**
   * Without statistics the planner believes a thread holds one message and filters it row by row, computing
   * search vectors (~50 µs each). Postgres' autovacuum analyzes soon; the embedded database never does, so a
   * never-analyzed transcript is analyzed once here (imports analyze after loading too). Columns only: the
   * expression index's statistics would recompute thousands of search vectors.
   */
  private async ensureStatistics(): Promise<void> {
    const { rows } = await this.pool.query<{ reltuples: number }>("SELECT reltuples FROM pg_class WHERE oid = 'messages'::regclass");
    if ((rows[0]?.reltuples ?? 0) < 0) await this.pool.query("ANALYZE messages (thread_id, seq, created_at)");
  }

  /**
   * Whether the scope (the user's threads, or those asked for) holds at most `SMALL_SCOPE_MESSAGES`: then its
   * messages are read and tested one by one, not found through the search indexes — which cover every user's
   * messages, so through them one user's search cost as much as another user's matching rows (a user with a dozen
   * messages waited 10 s beside someone's imported 480,000).
   */
  private async isSmallScope(request: SearchRequest): Promise<boolean> {
    const { rows } = await this.pool.query<{ total: string }>(
      "SELECT coalesce(sum(message_seq), 0) AS total FROM threads WHERE user_id = $1 AND ($2::uuid[] IS NULL OR thread_id = ANY($2::uuid[]))",
      [request.userId, request.threadIds ?? null],
    );
    return Number(rows[0]?.total ?? 0) <= SMALL_SCOPE_MESSAGES;
  }

  private async exactMatches(query: SearchQuery, request: SearchRequest & { limit: number }): Promise<HitRow[]> {
    const params: unknown[] = [request.userId, request.threadIds ?? null];
    const bind = (value: unknown) => `$${params.push(value)}`;
    const tsQuery = tsQuerySql(query.clauses, bind);
    const substring = query.substring === null ? null : bind(query.substring);
    const conditions = [tsQuery ? `threadline_search_vector(m.content) @@ (${tsQuery})` : "", substring ? `m.content ILIKE ${substring}` : ""].filter(Boolean);
    const rank = [
      tsQuery ? `ts_rank_cd(threadline_search_vector(m.content), ${tsQuery}, 32)` : "0",
      substring ? `CASE WHEN m.content ILIKE ${substring} THEN 0.5 ELSE 0 END` : "0",
      `0.3 * word_similarity(${bind(query.text)}, m.content)`,
    ].join(" + ");
    const scan = await this.isSmallScope(request);
    const { rows } = await this.pool.query<HitRow>(
      `${candidatesCte(conditions.join(" OR "), scan)}
       SELECT ${COLUMNS}, (${rank})::float8 AS score
         FROM candidates c JOIN messages m ON m.thread_id = c.thread_id AND m.seq = c.seq JOIN threads t ON t.thread_id = m.thread_id
        ORDER BY score DESC, m.created_at DESC, m.seq DESC LIMIT ${bind(request.limit)}`,
      params,
    );
    return rows;
  }

  /**
   * Trigram word similarity for typos (`postgress` finds `PostgreSQL`), word by word, with the query's CJK words
   * as written; indexed through `<%` on gin_trgm_ops and the search vector's index.
   */
  private async fuzzyMatches(query: SearchQuery & { fuzzy: NonNullable<SearchQuery["fuzzy"]> }, request: SearchRequest & { limit: number }): Promise<HitRow[]> {
    const params: unknown[] = [request.userId, request.threadIds ?? null, query.fuzzy.text, request.limit];
    const bind = (value: unknown) => `$${params.push(value)}`;
    const required = fuzzySql(query.fuzzy.clauses, bind);
    // No fuzzy hit may contain what the query excludes (`-word`, `-北京`).
    const excluded = tsQuerySql(query.clauses.filter((clause) => clause.negated).map((clause) => ({ ...clause, negated: false })), bind, " || ");
    const scan = await this.isSmallScope(request);
    const client = await this.pool.connect();
    try {
      await client.query("BEGIN");
      // `<%` compares against this setting; SET LOCAL keeps it to this transaction.
      await client.query(`SET LOCAL pg_trgm.word_similarity_threshold = ${FUZZY_THRESHOLD}`);
      const { rows } = await client.query<HitRow>(
        `${candidatesCte(`${required}${excluded ? ` AND NOT threadline_search_vector(m.content) @@ (${excluded})` : ""}`, scan)}
         SELECT ${COLUMNS}, (0.5 * word_similarity($3, m.content))::float8 AS score
           FROM candidates c JOIN messages m ON m.thread_id = c.thread_id AND m.seq = c.seq JOIN threads t ON t.thread_id = m.thread_id
          ORDER BY score DESC, m.created_at DESC, m.seq DESC LIMIT $4`,
        params,
      );
      await client.query("COMMIT");
      return rows;
    } catch (error) {
      await client.query("ROLLBACK").catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }
}

/**
 * The `candidates` CTE: the scope's most recent `MAX_CANDIDATES` messages matching `condition` (on `m.content`).
 * With `scan`, the scope's messages are materialized first and tested each, so the planner cannot start from the
 * search indexes over every user's messages.
 */
function candidatesCte(condition: string, scan: boolean): string {
  const scope = "FROM messages m JOIN threads t ON t.thread_id = m.thread_id WHERE t.user_id = $1 AND ($2::uuid[] IS NULL OR m.thread_id = ANY($2::uuid[]))";
  const newest = `ORDER BY m.created_at DESC, m.seq DESC LIMIT ${MAX_CANDIDATES}`;
  if (!scan) return `WITH candidates AS (SELECT m.thread_id, m.seq ${scope} AND (${condition}) ${newest})`;
  return `WITH scope AS MATERIALIZED (SELECT m.thread_id, m.seq, m.created_at, m.content ${scope}),
       candidates AS (SELECT m.thread_id, m.seq FROM scope m WHERE ${condition} ${newest})`;
}

/**
 * The clauses as one tsquery expression: each term's English half through `websearch_to_tsquery('english', …)` and
 * its CJK half through `to_tsquery('simple', …)` (both must match), alternatives joined with `||`, negated clauses
 * with `!!`, clauses with `&&` (or `join`). Empty when there is no clause.
 */
function tsQuerySql(clauses: readonly SearchClause[], bind: (value: unknown) => string, join = " && "): string {
  const term = (value: SearchTerm) =>
    `(${[value.words ? `websearch_to_tsquery('english', ${bind(value.words)})` : "", value.cjk ? `to_tsquery('simple', ${bind(value.cjk)})` : ""].filter(Boolean).join(" && ")})`;
  return clauses.map((clause) => `${clause.negated ? "!!" : ""}(${clause.alternatives.map(term).join(" || ")})`).join(join);
}

/**
 * The fuzzy fallback's clauses as one condition: every clause, any of its alternatives, and in a term every word
 * near a word of the message (`word <% content`) and its CJK words in it, as the exact search reads them.
 */
function fuzzySql(clauses: readonly FuzzyTerm[][], bind: (value: unknown) => string): string {
  const term = (value: FuzzyTerm) =>
    [...value.words.map((word) => `${bind(word)} <% m.content`), value.cjk ? `threadline_search_vector(m.content) @@ to_tsquery('simple', ${bind(value.cjk)})` : ""].filter(Boolean).join(" AND ") || "TRUE";
  return clauses.map((alternatives) => `(${alternatives.map((value) => `(${term(value)})`).join(" OR ")})`).join(" AND ");
}

function toHit(row: HitRow, query: SearchQuery, match: SearchHit["match"]): SearchHit {
  return {
    thread_id: row.thread_id,
    thread_title: row.thread_title,
    ...toTranscriptMessage(row),
    score: Math.round(row.score * 10_000) / 10_000,
    match,
    snippet: snippetAround(row.content, query.terms),
  };
}
