import type pg from "pg";
import { withTransaction } from "../db/database.js";
import { checkpointIdAt } from "./checkpoint-id-time.js";
import { MESSAGE_REFS_TYPE } from "./message-store.js";
import { decidePrune, type PruneDecision, type RetentionRow } from "./prune-decision.js";
import { saverTables, type SaverTables } from "./saver-sql.js";

/** Rows removed by a prune. */
export interface PruneCounts {
  checkpoints: number;
  writes: number;
  blobs: number;
  messages: number;
}

/** What a sweep over every thread did. */
export interface RetentionSweep extends PruneCounts {
  threads: number;
}

/** Options of `CheckpointRetention`. */
export interface CheckpointRetentionOptions {
  /** The saver's schema. @default "public" */
  schema?: string;
  /** Threads enumerated per query while sweeping. @default 500 */
  batchSize?: number;
}

const DAY_MS = 86_400_000;

/**
 * Retention of checkpoints written by ThreadlineSaver (or PostgresSaver): turn-final checkpoints — where a run
 * ended, was interrupted or failed, or where the state was edited or forked — are kept for replay and fork; the
 * intermediate super-step checkpoints between them are pruned once older than the cutoff. Kept checkpoints stay
 * exactly readable (their blobs and message rows are untouched) and are re-linked to their nearest kept ancestor.
 * Each thread remembers how far it was pruned (`checkpoint_retention_marks`), so a sweep reads only what was
 * written since the previous one.
 * @example await new CheckpointRetention(pool).sweep({ olderThanDays: config.CHECKPOINT_RETENTION_DAYS });
 */
export class CheckpointRetention {
  private readonly tables: SaverTables;
  private readonly batchSize: number;

  constructor(
    private readonly pool: pg.Pool,
    options: CheckpointRetentionOptions = {},
  ) {
    this.tables = saverTables(options.schema ?? "public");
    this.batchSize = options.batchSize ?? 500;
  }

  /** Prune every thread's intermediate checkpoints older than `olderThanDays` (the sweeper's job). */
  async sweep(options: { olderThanDays: number; now?: Date }): Promise<RetentionSweep> {
    const cutoff = new Date((options.now ?? new Date()).getTime() - options.olderThanDays * DAY_MS);
    const total: RetentionSweep = { threads: 0, checkpoints: 0, writes: 0, blobs: 0, messages: 0 };
    for (let after = ""; ; ) {
      const threadIds = await this.threadsAfter(after);
      for (const threadId of threadIds) addCounts(total, await this.pruneThread(threadId, { cutoff }));
      total.threads += threadIds.length;
      const last = threadIds.at(-1);
      if (last === undefined || threadIds.length < this.batchSize) return total;
      after = last;
    }
  }

  /** Prune one thread's intermediate checkpoints written before `cutoff`. */
  async pruneThread(threadId: string, options: { cutoff: Date }): Promise<PruneCounts> {
    const cutoffId = checkpointIdAt(options.cutoff);
    return withTransaction(this.pool, async (client) => {
      // Serialises sweeps of one thread (two instances sweeping at once) without touching the saver's writes.
      await client.query("SELECT pg_advisory_xact_lock(hashtext('threadline_retention:' || $1))", [threadId]);
      const mark = await this.markOf(client, threadId);
      const rows = await this.rowsAfter(client, threadId, mark);
      const decision = decidePrune(rows, { cutoffId, parentVersions: await this.parentVersions(client, threadId, rows) });
      const counts = await this.apply(client, threadId, decision);
      if (decision.mark !== undefined && decision.mark !== mark) await this.setMark(client, threadId, decision.mark);
      return counts;
    });
  }

  /**
   * keep_latest for a ThreadlineSaver thread: every checkpoint but the newest of each namespace goes, with its
   * writes, the blobs nothing references any more, and the stored messages no remaining value refers to.
   */
  async keepLatest(threadId: string): Promise<PruneCounts> {
    const t = this.tables;
    return withTransaction(this.pool, async (client) => {
      const checkpoints = await client.query(
        `DELETE FROM ${t.checkpoints} c WHERE c.thread_id = $1
            AND c.checkpoint_id <> (SELECT max(l.checkpoint_id) FROM ${t.checkpoints} l WHERE l.thread_id = c.thread_id AND l.checkpoint_ns = c.checkpoint_ns)`,
        [threadId],
      );
      // The one left per namespace has no ancestor any more: its parent link would name a deleted checkpoint.
      await client.query(`UPDATE ${t.checkpoints} SET parent_checkpoint_id = NULL WHERE thread_id = $1 AND parent_checkpoint_id IS NOT NULL`, [threadId]);
      const writes = await client.query(
        `DELETE FROM ${t.writes} w WHERE w.thread_id = $1
            AND NOT EXISTS (SELECT 1 FROM ${t.checkpoints} c WHERE c.thread_id = w.thread_id AND c.checkpoint_ns = w.checkpoint_ns AND c.checkpoint_id = w.checkpoint_id)`,
        [threadId],
      );
      const blobs = await client.query(
        `DELETE FROM ${t.blobs} b WHERE b.thread_id = $1
            AND NOT EXISTS (SELECT 1 FROM ${t.checkpoints} c WHERE c.thread_id = b.thread_id AND c.checkpoint_ns = b.checkpoint_ns
                               AND c.checkpoint -> 'channel_versions' ->> b.channel = b.version)`,
        [threadId],
      );
      const messages = await this.collectMessages(client, threadId);
      return { checkpoints: checkpoints.rowCount ?? 0, writes: writes.rowCount ?? 0, blobs: blobs.rowCount ?? 0, messages };
    });
  }

  /** Delete the thread's stored messages that no remaining blob or pending write refers to. */
  async collectMessages(db: pg.PoolClient | pg.Pool, threadId: string): Promise<number> {
    const t = this.tables;
    const { rowCount } = await db.query(
      `WITH payloads AS (
         SELECT blob FROM ${t.blobs} WHERE thread_id = $1 AND type = $2
         UNION ALL SELECT blob FROM ${t.writes} WHERE thread_id = $1 AND type = $2
       ), ranges AS (
         SELECT (r ->> 0)::int AS first, (r ->> 1)::int AS count
           FROM payloads, jsonb_array_elements(split_part(convert_from(payloads.blob, 'UTF8'), E'\\n', 1)::jsonb) AS r
       )
       DELETE FROM ${t.messages} m WHERE m.thread_id = $1
          AND NOT EXISTS (SELECT 1 FROM ranges WHERE m.ref >= ranges.first AND m.ref < ranges.first + ranges.count)`,
      [threadId, MESSAGE_REFS_TYPE],
    );
    return rowCount ?? 0;
  }

  private async threadsAfter(after: string): Promise<string[]> {
    // A loose index scan over the primary key: one probe per thread, not a scan of every checkpoint.
    const { rows } = await this.pool.query<{ thread_id: string }>(
      `WITH RECURSIVE threads AS (
         (SELECT thread_id FROM ${this.tables.checkpoints} WHERE thread_id > $1 ORDER BY thread_id LIMIT 1)
         UNION ALL
         SELECT (SELECT c.thread_id FROM ${this.tables.checkpoints} c WHERE c.thread_id > threads.thread_id ORDER BY c.thread_id LIMIT 1)
           FROM threads WHERE threads.thread_id IS NOT NULL
       )
       SELECT thread_id FROM threads WHERE thread_id IS NOT NULL LIMIT $2`,
      [after, this.batchSize],
    );
    return rows.map((row) => row.thread_id);
  }

  private async markOf(client: pg.PoolClient, threadId: string): Promise<string> {
    const { rows } = await client.query<{ pruned_before: string }>(`SELECT pruned_before FROM ${this.tables.marks} WHERE thread_id = $1`, [threadId]);
    return rows[0]?.pruned_before ?? "";
  }

  private async setMark(client: pg.PoolClient, threadId: string, mark: string): Promise<void> {
    await client.query(
      `INSERT INTO ${this.tables.marks} (thread_id, pruned_before) VALUES ($1, $2)
       ON CONFLICT (thread_id) DO UPDATE SET pruned_before = EXCLUDED.pruned_before, pruned_at = now()`,
      [threadId, mark],
    );
  }

  /** Checkpoints written after the mark, with what the decision needs (children are among them). */
  private async rowsAfter(client: pg.PoolClient, threadId: string, mark: string): Promise<RetentionRow[]> {
    const t = this.tables;
    const { rows } = await client.query<RetentionRow>(
      `SELECT c.checkpoint_ns AS namespace, c.checkpoint_id AS id, c.parent_checkpoint_id AS parent, c.metadata ->> 'source' AS source, c.metadata ->> 'run_id' AS run,
              coalesce(c.checkpoint -> 'channel_versions', '{}'::jsonb) AS versions,
              EXISTS (SELECT 1 FROM ${t.writes} w WHERE w.thread_id = c.thread_id AND w.checkpoint_ns = c.checkpoint_ns
                         AND w.checkpoint_id = c.checkpoint_id AND w.channel IN ('__interrupt__', '__error__')) AS stopped
         FROM ${t.checkpoints} c WHERE c.thread_id = $1 AND c.checkpoint_id > $2
        ORDER BY c.checkpoint_id`,
      [threadId, mark],
    );
    return rows;
  }

  /** Channel versions of the parents (written before the mark) of the rows, to tell which blobs a row created. */
  private async parentVersions(client: pg.PoolClient, threadId: string, rows: RetentionRow[]): Promise<Map<string, Record<string, number | string>>> {
    const known = new Set(rows.map((row) => row.id));
    const missing = [...new Set(rows.flatMap((row) => (row.parent && !known.has(row.parent) ? [row.parent] : [])))];
    if (missing.length === 0) return new Map();
    const { rows: parents } = await client.query<{ id: string; namespace: string; versions: Record<string, number | string> }>(
      `SELECT checkpoint_id AS id, checkpoint_ns AS namespace, coalesce(checkpoint -> 'channel_versions', '{}'::jsonb) AS versions
         FROM ${this.tables.checkpoints} WHERE thread_id = $1 AND checkpoint_id = ANY($2)`,
      [threadId, missing],
    );
    return new Map(parents.map((parent) => [`${parent.namespace}\u0000${parent.id}`, parent.versions]));
  }

  private async apply(client: pg.PoolClient, threadId: string, decision: PruneDecision): Promise<PruneCounts> {
    const t = this.tables;
    const counts: PruneCounts = { checkpoints: 0, writes: 0, blobs: 0, messages: 0 };
    if (decision.prune.length === 0) return counts;
    const namespaces = decision.prune.map((row) => row.namespace);
    const ids = decision.prune.map((row) => row.id);
    const pruned = `unnest($2::text[], $3::text[]) AS p(namespace, id)`;
    counts.writes = (await client.query(`DELETE FROM ${t.writes} w USING ${pruned} WHERE w.thread_id = $1 AND w.checkpoint_ns = p.namespace AND w.checkpoint_id = p.id`, [threadId, namespaces, ids])).rowCount ?? 0;
    counts.checkpoints = (await client.query(`DELETE FROM ${t.checkpoints} c USING ${pruned} WHERE c.thread_id = $1 AND c.checkpoint_ns = p.namespace AND c.checkpoint_id = p.id`, [threadId, namespaces, ids])).rowCount ?? 0;
    const blobs = decision.blobs;
    counts.blobs = (await client.query(
      `DELETE FROM ${t.blobs} b USING unnest($2::text[], $3::text[], $4::text[]) AS d(namespace, channel, version)
        WHERE b.thread_id = $1 AND b.checkpoint_ns = d.namespace AND b.channel = d.channel AND b.version = d.version`,
      [threadId, blobs.map((blob) => blob.namespace), blobs.map((blob) => blob.channel), blobs.map((blob) => blob.version)],
    )).rowCount ?? 0;
    const links = decision.relink;
    await client.query(
      `UPDATE ${t.checkpoints} c SET parent_checkpoint_id = l.parent FROM unnest($2::text[], $3::text[], $4::text[]) AS l(namespace, id, parent)
        WHERE c.thread_id = $1 AND c.checkpoint_ns = l.namespace AND c.checkpoint_id = l.id`,
      [threadId, links.map((link) => link.namespace), links.map((link) => link.id), links.map((link) => link.parent)],
    );
    return counts;
  }
}

function addCounts(total: PruneCounts, counts: PruneCounts): void {
  total.checkpoints += counts.checkpoints;
  total.writes += counts.writes;
  total.blobs += counts.blobs;
  total.messages += counts.messages;
}
