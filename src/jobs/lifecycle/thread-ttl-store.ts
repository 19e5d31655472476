import type pg from "pg";
import { isUuid } from "../../db/ids.js";
import { notFound } from "../../errors/app-error.js";
import type { ThreadTtl, TtlStrategy } from "./thread-ttl.js";

/** A thread past its TTL, with what to do about it. */
export interface ExpiredThread {
  thread_id: string;
  user_id: string;
  strategy: TtlStrategy;
}

/** The default TTL for threads without one of their own (THREAD_TTL_MINUTES / THREAD_TTL_STRATEGY). */
export interface DefaultTtl {
  minutes: number;
  strategy: TtlStrategy;
}

/**
 * SQL: thread `t` is idle — no run of it is pending or running (the status check alone misses queued runs). The
 * sweeper and `POST /threads/prune` prune only idle threads: a run rolled back restores its claim's checkpoint.
 */
export const IDLE_THREAD_SQL = `t.status <> 'busy'
  AND NOT EXISTS (SELECT 1 FROM runs r WHERE r.thread_id = t.thread_id AND r.status IN ('pending', 'running'))`;
// keep_latest leaves the thread in place; it is not pruned again until it has new activity.
const NOT_SWEPT = "(x.swept_at IS NULL OR x.swept_at < t.last_activity_at)";

/** Per-thread TTLs (`thread_ttls`) and the sweeper's query for expired threads. */
export class ThreadTtlStore {
  constructor(private readonly pool: pg.Pool) {}

  /** Set (or with null, clear) the TTL of the user's thread; not_found for anyone else's. */
  async set(userId: string, threadId: string, ttl: ThreadTtl | null): Promise<void> {
    if (!isUuid(threadId)) throw notFound("Thread", threadId);
    const { rowCount } = await this.pool.query(
      `INSERT INTO thread_ttls (thread_id, strategy, ttl_minutes)
       SELECT thread_id, $3, $4 FROM threads WHERE thread_id = $1 AND user_id = $2
       ON CONFLICT (thread_id) DO UPDATE SET strategy = EXCLUDED.strategy, ttl_minutes = EXCLUDED.ttl_minutes, swept_at = NULL`,
      [threadId, userId, ttl?.strategy ?? null, ttl?.ttl ?? null],
    );
    if (!rowCount) throw notFound("Thread", threadId);
  }

  /** The thread's own TTL, or null when it follows the default. */
  async get(threadId: string): Promise<ThreadTtl | null> {
    const { rows } = await this.pool.query<{ strategy: TtlStrategy | null; ttl_minutes: string | null }>(
      "SELECT strategy, ttl_minutes FROM thread_ttls WHERE thread_id = $1",
      [threadId],
    );
    const row = rows[0];
    return row?.strategy && row.ttl_minutes !== null ? { strategy: row.strategy, ttl: Number(row.ttl_minutes) } : null;
  }

  /** Idle threads past their own TTL or the default, least recently active first. */
  async findExpired(options: { now: Date; defaultTtl: DefaultTtl | null; limit: number }): Promise<ExpiredThread[]> {
    const own = await this.pool.query<ExpiredThread>(
      `SELECT t.thread_id, t.user_id, x.strategy FROM thread_ttls x JOIN threads t USING (thread_id)
        WHERE x.ttl_minutes IS NOT NULL AND t.last_activity_at < $1::timestamptz - x.ttl_minutes * interval '1 minute'
          AND ${NOT_SWEPT} AND ${IDLE_THREAD_SQL}
        ORDER BY t.last_activity_at LIMIT $2`,
      [options.now, options.limit],
    );
    const room = options.limit - own.rows.length;
    if (!options.defaultTtl || room <= 0) return own.rows;
    const defaulted = await this.pool.query<ExpiredThread>(
      `SELECT t.thread_id, t.user_id, $3::text AS strategy FROM threads t LEFT JOIN thread_ttls x USING (thread_id)
        WHERE t.last_activity_at < $1::timestamptz - $2::numeric * interval '1 minute'
          AND x.ttl_minutes IS NULL AND ${NOT_SWEPT} AND ${IDLE_THREAD_SQL}
        ORDER BY t.last_activity_at LIMIT $4`,
      [options.now, options.defaultTtl.minutes, options.defaultTtl.strategy, room],
    );
    return [...own.rows, ...defaulted.rows];
  }

  /** Record a keep_latest sweep so the thread is skipped until its next activity. */
  async markSwept(threadId: string): Promise<void> {
    // Database time, like last_activity_at, so the two compare even when the sweeper's clock is injected.
    await this.pool.query(
      `INSERT INTO thread_ttls (thread_id, swept_at) SELECT thread_id, now() FROM threads WHERE thread_id = $1
       ON CONFLICT (thread_id) DO UPDATE SET swept_at = EXCLUDED.swept_at`,
      [threadId],
    );
  }
}
