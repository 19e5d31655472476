import type pg from "pg";
import type { Logger } from "../logger.js";

/** A statement as rate-limiter-flexible's Postgres store sends it. */
export interface RateLimitStatement {
  text: string;
  values?: unknown[];
  /** The library's prepared-statement name: dropped, the pool's own policy applies. */
  name?: string;
}

/** What `RateLimiterPostgres` is given as its `storeClient` (`storeType: "pool"`). */
export interface RateLimitStoreClient {
  query(statement: RateLimitStatement): Promise<pg.QueryResult>;
  /** Refuse further statements (the pool is about to close); the limiter's memory decides from then on. */
  close(): void;
}

/** Warnings about the store are repeated at most this often. */
const WARN_INTERVAL_MS = 60_000;

/**
 * The app's pool as the rate limiter's store, with three differences: statements go out without the library's
 * statement names (so DATABASE_PREPARED_STATEMENTS=false holds for them too: behind PgBouncer in transaction mode a
 * named statement fails), a statement that has not answered within `timeoutMs` (a pool exhausted by runs, a locked
 * table) fails so the insurance limiter decides instead of the request waiting, and failures are logged, at most
 * once a minute, since the library swallows them.
 */
export function rateLimitStoreClient(options: { pool: pg.Pool; timeoutMs: number; logger?: Logger }): RateLimitStoreClient {
  let closed = false;
  let warnedAt = Number.NEGATIVE_INFINITY;
  const warn = (error: unknown) => {
    if (Date.now() - warnedAt < WARN_INTERVAL_MS) return;
    warnedAt = Date.now();
    const { message, code } = error as { message?: unknown; code?: unknown };
    options.logger?.warn({ err: { message, code } }, "the rate limit's database store failed: each instance counts budgets in its own memory until it answers");
  };
  return {
    query(statement) {
      if (closed) return Promise.reject(new Error("the rate limit store is closed"));
      const answer = withTimeout(options.pool.query({ text: statement.text, values: statement.values }), options.timeoutMs);
      answer.catch(warn);
      return answer;
    },
    close() {
      closed = true;
    },
  };
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  // The late answer of a statement that timed out is dropped, its failure too (no unhandled rejection).
  work.catch(() => undefined);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`the rate limit store did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
