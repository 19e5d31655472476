import type pg from "pg";
import type { Queryable } from "../../db/database.js";
import { isUuid } from "../../db/ids.js";
import type { TombstoneRegistry } from "../../db/tombstone-registry.js";

/** How many deleted ids each instance remembers without asking Postgres again. */
const CACHE_SIZE = 10_000;

/**
 * Deleted thread ids (`thread_tombstones`). A tombstone is never removed, so a positive answer is cached; a
 * negative one is not (the thread may be deleted at any moment), and costs one primary-key lookup.
 */
export class ThreadTombstones implements TombstoneRegistry {
  private readonly known = new Map<string, true>();

  constructor(private readonly pool: pg.Pool) {}

  /** Whether the thread was deleted. */
  async isDeleted(threadId: string): Promise<boolean> {
    if (this.known.has(threadId)) return true;
    // Not a uuid: such a thread never existed in Threadline, so it was never deleted either.
    if (!isUuid(threadId)) return false;
    const { rows } = await this.pool.query("SELECT 1 FROM thread_tombstones WHERE thread_id = $1", [threadId]);
    if (rows.length > 0) this.remember(threadId);
    return rows.length > 0;
  }

  /** Which of these threads were deleted. */
  async deletedAmong(threadIds: string[], db: Queryable = this.pool): Promise<Set<string>> {
    if (threadIds.length === 0) return new Set();
    const { rows } = await db.query<{ thread_id: string }>("SELECT thread_id FROM thread_tombstones WHERE thread_id = ANY($1::uuid[])", [threadIds]);
    return new Set(rows.map((row) => row.thread_id));
  }

  /** Record deletions (idempotent). Commit this before deleting the threads' checkpoints. */
  async markDeleted(threadIds: string[], reason: string, db: Queryable = this.pool): Promise<void> {
    if (threadIds.length === 0) return;
    await db.query(
      "INSERT INTO thread_tombstones (thread_id, reason) SELECT unnest($1::uuid[]), $2 ON CONFLICT (thread_id) DO NOTHING",
      [threadIds, reason],
    );
    // Inside a caller's transaction the rows may still roll back: remember them only once committed.
    if (db === this.pool) for (const threadId of threadIds) this.remember(threadId);
  }

  private remember(threadId: string): void {
    if (this.known.size >= CACHE_SIZE) {
      const oldest = this.known.keys().next();
      if (!oldest.done) this.known.delete(oldest.value);
    }
    this.known.set(threadId, true);
  }
}
