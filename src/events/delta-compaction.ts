import type pg from "pg";
import { withTransaction } from "../db/database.js";

/** What a compaction sweep did. */
export interface DeltaCompactionResult {
  /** Deltas older than the cutoff looked at (each once, ever). */
  scanned: number;
  /** Deltas deleted: their message is in the transcript. */
  deleted: number;
}

/** Options of `DeltaCompaction`. */
export interface DeltaCompactionOptions {
  /** Deltas looked at per batch (one transaction each). @default 5000 */
  batchSize?: number;
}

const MINUTE_MS = 60_000;

/**
 * Compaction of the event log: a `message.delta` event older than the cutoff is deleted when its message is in the
 * transcript (it completed, and `message.completed` carries all of it). While a message streams, and for a while
 * after (a window reconnecting, a stream resumed with `Last-Event-ID`), its deltas replay as they were sent; after
 * that a replay gets the message whole. Deltas of a message that never completed (a cancelled reply) are kept:
 * they are the only record of what was shown. Seqs are never reused, so the log keeps its order with gaps.
 * @example await new DeltaCompaction(pool).sweep({ olderThanMinutes: config.EVENT_DELTA_RETENTION_MINUTES });
 */
export class DeltaCompaction {
  constructor(
    private readonly pool: pg.Pool,
    private readonly options: DeltaCompactionOptions = {},
  ) {}

  /** Compact every delta older than the cutoff not looked at before, in batches. */
  async sweep(options: { olderThanMinutes: number; now?: Date }): Promise<DeltaCompactionResult> {
    const cutoff = new Date((options.now ?? new Date()).getTime() - options.olderThanMinutes * MINUTE_MS);
    const batchSize = this.options.batchSize ?? 5000;
    const total: DeltaCompactionResult = { scanned: 0, deleted: 0 };
    for (;;) {
      const batch = await this.compactBatch(cutoff, batchSize);
      total.scanned += batch.scanned;
      total.deleted += batch.deleted;
      if (batch.scanned < batchSize) return total;
    }
  }

  /**
   * One batch in one transaction: the mark read under its row lock (which serialises sweeps running at the same time
   * on several instances), the next deltas after it — a range scan of the partial index of deltas by age, starting
   * at the mark — deleted where their message is in the transcript, and the mark moved past the batch.
   */
  private compactBatch(cutoff: Date, batchSize: number): Promise<DeltaCompactionResult> {
    return withTransaction(this.pool, async (client) => {
      // As text: a JavaScript Date would drop the microseconds, and the batch would start before the mark.
      const { rows: marks } = await client.query<Position>("SELECT created_at::text AS created_at, thread_id, seq FROM delta_compaction_mark FOR UPDATE");
      const mark = marks[0];
      if (!mark) throw new Error("delta_compaction_mark has no row (migration 011 inserts it)");
      const { rows } = await client.query<DeltaCompactionResult & { last: Position | null }>(
        `WITH batch AS (
           SELECT thread_id, seq, created_at, data->>'message_id' AS message_id
             FROM thread_events
            WHERE event = 'message.delta' AND (created_at, thread_id, seq) > ($1::timestamptz, $2::uuid, $3::bigint) AND created_at < $4
            ORDER BY created_at, thread_id, seq
            LIMIT $5
         ), deleted AS (
           DELETE FROM thread_events e USING batch b
            WHERE e.thread_id = b.thread_id AND e.seq = b.seq
              AND EXISTS (SELECT 1 FROM messages m WHERE m.thread_id = b.thread_id AND m.message_id = b.message_id)
           RETURNING 1
         )
         SELECT (SELECT count(*) FROM batch)::int AS scanned, (SELECT count(*) FROM deleted)::int AS deleted,
                (SELECT json_build_object('created_at', created_at, 'thread_id', thread_id, 'seq', seq)
                   FROM batch ORDER BY created_at DESC, thread_id DESC, seq DESC LIMIT 1) AS last`,
        [mark.created_at, mark.thread_id, mark.seq, cutoff, batchSize],
      );
      const row = rows[0];
      if (row?.last) await client.query("UPDATE delta_compaction_mark SET created_at = $1, thread_id = $2, seq = $3", [row.last.created_at, row.last.thread_id, row.last.seq]);
      return { scanned: row?.scanned ?? 0, deleted: row?.deleted ?? 0 };
    });
  }
}

/** A delta's place in the index: the mark and a batch's last row. */
interface Position {
  /** Text with microseconds (never a Date). */
  created_at: string;
  thread_id: string;
  seq: string | number;
}
