import type pg from "pg";
import { RateLimiterMemory, RateLimiterPostgres, RateLimiterRes } from "rate-limiter-flexible";
import { AppError } from "../errors/app-error.js";
import type { Logger } from "../logger.js";
import { rateLimitStoreClient, type RateLimitStoreClient } from "./rate-limit-store-client.js";

/** Where a user's budget is counted: in each instance's memory, or in the database every instance shares. */
export type RateLimitScope = "instance" | "cluster";

/** The table of migration 017. */
const TABLE = "rate_limit_points";
/** The budget's window: RATE_LIMIT_PER_MINUTE is per minute. */
const WINDOW_SECONDS = 60;
/** Rows of windows that ended are deleted this often (any instance may; an ended window counts as no row). */
const SWEEP_INTERVAL_MS = 5 * 60_000;

/**
 * The scope in force: the configured one, else `cluster` on a Postgres server (instances may share it) and
 * `instance` on the embedded database (one process only, so a round trip per request would buy nothing).
 */
export function resolveRateLimitScope(configured: RateLimitScope | undefined, databaseKind: "postgres" | "embedded"): RateLimitScope {
  return configured ?? (databaseKind === "postgres" ? "cluster" : "instance");
}

/** Options of `UserRateLimiter`. */
export interface UserRateLimiterOptions {
  /** Requests allowed per user per minute. */
  perMinute: number;
  /** @default "instance" */
  scope?: RateLimitScope;
  /** The shared database (`cluster` scope). */
  pool?: pg.Pool;
  /** Says when the database stops deciding (at most once a minute). */
  logger?: Logger;
  /** A database decision slower than this is made by this instance's memory instead. @default 500 */
  storeTimeoutMs?: number;
}

/** Per-user request budget per minute (HTTP requests and WS commands alike), per instance or cluster-wide. */
export class UserRateLimiter {
  /** Where budgets are counted. */
  readonly scope: RateLimitScope;
  private readonly limiter: Pick<RateLimiterMemory, "consume">;
  private readonly store?: RateLimitStoreClient;
  private readonly sweepTimer?: NodeJS.Timeout;

  constructor(options: UserRateLimiterOptions) {
    const memory = new RateLimiterMemory({ points: options.perMinute, duration: WINDOW_SECONDS });
    this.scope = options.scope ?? "instance";
    if (this.scope === "instance") {
      this.limiter = memory;
      return;
    }
    if (!options.pool) throw new Error("a cluster-wide rate limit needs the database pool");
    this.store = rateLimitStoreClient({ pool: options.pool, timeoutMs: options.storeTimeoutMs ?? 500, logger: options.logger });
    this.limiter = new RateLimiterPostgres({
      storeClient: this.store,
      storeType: "pool",
      tableName: TABLE,
      // Migration 017 created it, under the migrate lock; the library's own CREATE TABLE would race at runtime.
      tableCreated: true,
      clearExpiredByTimeout: false,
      keyPrefix: "user",
      points: options.perMinute,
      duration: WINDOW_SECONDS,
      // Over budget stays over budget until the window ends: refuse the rest of it from memory, without a write
      // per refused request (a client hammering 429s costs no database work).
      inMemoryBlockOnConsumed: options.perMinute + 1,
      // The database failing or stalling must not refuse every request: this instance's memory decides meanwhile
      // (each instance then allows the whole budget, as with RATE_LIMIT_SCOPE=instance).
      insuranceLimiter: memory,
    });
    this.sweepTimer = setInterval(() => void this.sweep(), SWEEP_INTERVAL_MS).unref();
  }

  /** Spend `points` (one request's worth by default) for the user or throw `rate_limited` with the wait in details. */
  async consume(userId: string, points = 1): Promise<void> {
    try {
      await this.limiter.consume(userId, points);
    } catch (error) {
      if (error instanceof RateLimiterRes) {
        // The wait in words too: a client that prints only the message (the terminal's) still says when to retry.
        const seconds = Math.max(1, Math.ceil(error.msBeforeNext / 1000));
        throw new AppError("rate_limited", `Too many requests: try again in ${seconds} s`, { details: { retry_after_ms: error.msBeforeNext } });
      }
      throw error;
    }
  }

  /** Delete the rows of windows that ended; a failure waits for the next sweep. */
  async sweep(): Promise<void> {
    await this.store?.query({ text: `DELETE FROM ${TABLE} WHERE expire < $1`, values: [Date.now()] }).catch(() => undefined);
  }

  /** Stop the sweep and send nothing more to the pool (call before closing it). */
  close(): void {
    clearInterval(this.sweepTimer);
    this.store?.close();
  }
}
