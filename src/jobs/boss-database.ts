import type PgBoss from "pg-boss";
import type { Queryable } from "../db/database.js";

/** Runs one pg-boss statement; without values pg uses the simple protocol, which multi-statement plans need. */
async function execute(db: Queryable, text: string, values?: unknown[]): Promise<{ rows: unknown[] }> {
  return values === undefined ? await db.query(text) : await db.query(text, values);
}

/** pg-boss's `db` option over a checked-out client, to enqueue inside the caller's transaction. */
export function toBossDatabase(db: Queryable): PgBoss.Db {
  return { executeSql: (text: string, values?: unknown[]) => execute(db, text, values) };
}

/**
 * pg-boss v10 completes (or fails) a handled batch without awaiting the statement, so a database error there
 * would be an unhandled rejection and crash Node. Those two statements are recognised by their text.
 */
function isUnawaitedByPgBoss(text: string): boolean {
  const completion = text.includes("SET completed_on = now(),") && text.includes("state = 'completed'");
  const failure = text.includes("WHEN retry_count < retry_limit THEN 'retry'");
  return completion || failure;
}

/** The answer pg-boss reads from a completion or failure that changed nothing. */
const NOTHING_DONE = { rows: [{ count: "0" }] };

/**
 * pg-boss's `db` option over the app's pool, so pg-boss never opens connections of its own: the embedded
 * database has exactly one, and a second pool would interleave protocol messages on it. It counts statements
 * in flight so shutdown can wait for a worker's last poll before the pool closes; after that it answers every
 * statement with no rows rather than touching a closed pool.
 */
export class BossDatabase implements PgBoss.Db {
  private inFlight = 0;
  private closed = false;

  constructor(
    private readonly pool: Queryable,
    private readonly onSwallowed: (error: unknown) => void,
  ) {}

  /** Run a statement for pg-boss. */
  async executeSql(text: string, values?: unknown[]): Promise<{ rows: unknown[] }> {
    // pg-boss reads a count from its unawaited completions' answer: an empty one was an unhandled TypeError.
    if (this.closed) return isUnawaitedByPgBoss(text) ? NOTHING_DONE : { rows: [] };
    this.inFlight += 1;
    try {
      return await execute(this.pool, text, values);
    } catch (error) {
      // The job runner completes and fails jobs itself (awaited); pg-boss's own calls are then redundant.
      if (!isUnawaitedByPgBoss(text)) throw error;
      this.onSwallowed(error);
      return NOTHING_DONE;
    } finally {
      this.inFlight -= 1;
    }
  }

  /** Refuse new statements and wait (up to `timeoutMs`) for those in flight. */
  async close(timeoutMs: number): Promise<void> {
    this.closed = true;
    const deadline = Date.now() + timeoutMs;
    while (this.inFlight > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
