import type pg from "pg";
import type { Queryable } from "../db/database.js";
import type { NewThreadEvent, ThreadEvent } from "./thread-event.js";
import { storableJson } from "../errors/storable-text.js";

interface EventRow {
  seq: string;
  run_id: string | null;
  event: ThreadEvent["event"];
  data: ThreadEvent["data"];
  created_at: Date;
}

/** Where stored events are announced to other instances (`ClusterNotifier`'s channel and this instance's id). */
export interface EventAnnouncement {
  channel: string;
  instanceId: string;
}

/**
 * The per-thread event log: every pushed event is stored with its seq before anyone sees it. With an
 * announcement, the same statement also NOTIFYs other instances (`<instance> <thread> <from seq> <to seq>`):
 * no extra round trip, and inside a transaction the notification goes out only if it commits.
 */
export class EventLog {
  constructor(
    private readonly pool: pg.Pool,
    private readonly announcement?: EventAnnouncement,
  ) {}

  /**
   * Sequence and store events in one statement; returns nothing when the thread no longer exists. The counter
   * has a row of its own (`thread_event_seqs`), so storing an event never waits for a lock on the thread's row.
   */
  async append(batch: { threadId: string; runId: string | null; events: NewThreadEvent[] }, db: Queryable = this.pool): Promise<ThreadEvent[]> {
    const { threadId, runId, events } = batch;
    if (events.length === 0) return [];
    const { announcement } = this;
    const { rows } = await db.query<EventRow>(
      `WITH counter AS (
         UPDATE thread_event_seqs SET seq = seq + $3 WHERE thread_id = $1 RETURNING seq - $3 AS base
       ), announced AS (
         SELECT CASE WHEN $5::text IS NULL THEN NULL
                     ELSE pg_notify($5, $6 || ' ' || $1 || ' ' || (counter.base + 1) || ' ' || (counter.base + $3)) END AS sent
           FROM counter
       )
       INSERT INTO thread_events (thread_id, seq, run_id, event, data)
       SELECT $1, counter.base + item.ordinality, $2, item.value->>'event', item.value->'data'
         FROM counter, announced, jsonb_array_elements($4::jsonb) WITH ORDINALITY AS item(value, ordinality)
       RETURNING seq, run_id, event, data, created_at`,
      [threadId, runId, events.length, storableJson(events), announcement?.channel ?? null, announcement?.instanceId ?? null],
    );
    return rows.map((row) => toThreadEvent(threadId, row)).sort((left, right) => left.seq - right.seq);
  }

  /** The thread's last stored seq (0 before its first event, also for an unknown thread). */
  async lastSeq(threadId: string): Promise<number> {
    const { rows } = await this.pool.query<{ seq: string }>("SELECT seq FROM thread_event_seqs WHERE thread_id = $1", [threadId]);
    return Number(rows[0]?.seq ?? 0);
  }

  /** Events after `since`, in order; optionally only one run's. */
  async listSince(threadId: string, since: number, options: { limit?: number; runId?: string } = {}): Promise<ThreadEvent[]> {
    const { rows } = await this.pool.query<EventRow>(
      `SELECT seq, run_id, event, data, created_at FROM thread_events
        WHERE thread_id = $1 AND seq > $2 AND ($4::uuid IS NULL OR run_id = $4) ORDER BY seq LIMIT $3`,
      [threadId, since, options.limit ?? 10_000, options.runId ?? null],
    );
    return rows.map((row) => toThreadEvent(threadId, row));
  }

}

function toThreadEvent(threadId: string, row: EventRow): ThreadEvent {
  return { thread_id: threadId, run_id: row.run_id, seq: Number(row.seq), event: row.event, data: row.data, created_at: row.created_at.toISOString() } as ThreadEvent;
}
