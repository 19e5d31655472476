import type pg from "pg";
import type { Queryable } from "../db/database.js";
import type { NewTranscriptMessage, TranscriptMessage } from "./transcript-message.js";
import { toTranscriptMessage, type TranscriptRow } from "./transcript-row.js";
import { storableJson } from "../errors/storable-text.js";

/** The columns a transcript message is read from (`TranscriptRow`). */
const TRANSCRIPT_COLUMNS = "message_id, seq, role, content, tool_calls, tool_call_id, name, status, args, started_at, run_id, created_at, edited_at";

/** The append-only transcript. Reads are keyset-paginated on (thread, seq): cost is independent of length. */
export class TranscriptStore {
  constructor(private readonly pool: pg.Pool) {}

  /**
   * Append messages in one statement; seq numbers come from the thread row's counter, so concurrent writers
   * serialise on the row lock. A message id already present is skipped (idempotent replays).
   * Nothing is written when the thread no longer exists.
   */
  async append(batch: { threadId: string; runId: string | null; messages: NewTranscriptMessage[] }, db: Queryable = this.pool): Promise<TranscriptMessage[]> {
    const { threadId, runId, messages } = batch;
    if (messages.length === 0) return [];
    const { rows } = await db.query<TranscriptRow>(
      `WITH counter AS (
         UPDATE threads SET message_seq = message_seq + $3, last_activity_at = now()
          WHERE thread_id = $1 RETURNING message_seq - $3 AS base
       )
       INSERT INTO messages (thread_id, seq, message_id, run_id, role, content, tool_calls, tool_call_id, name, status, args, started_at)
       SELECT $1, counter.base + item.ordinality, item.value->>'id', $2, item.value->>'role', item.value->>'content',
              item.value->'tool_calls', item.value->>'tool_call_id', item.value->>'name', item.value->>'status', item.value->'args',
              now() - make_interval(secs => (item.value->>'started_ms_ago')::float8 / 1000)
         FROM counter, jsonb_array_elements($4::jsonb) WITH ORDINALITY AS item(value, ordinality)
       ON CONFLICT (thread_id, message_id) DO NOTHING
       RETURNING ${TRANSCRIPT_COLUMNS}`,
      [threadId, runId, messages.length, storableJson(messages)],
    );
    return rows.map(toTranscriptMessage).sort((left, right) => left.seq - right.seq);
  }

  /**
   * Revise messages a state edit replaced under their ids: new content, tool calls or status, same seq (the
   * conversation keeps its order), `edited_at` set. Only rows that really change are written and returned; ids
   * not in the transcript are ignored.
   */
  async revise(batch: { threadId: string; messages: NewTranscriptMessage[] }, db: Queryable = this.pool): Promise<TranscriptMessage[]> {
    const { threadId, messages } = batch;
    if (messages.length === 0) return [];
    const { rows } = await db.query<TranscriptRow>(
      `UPDATE messages m
          SET content = item.value->>'content', tool_calls = item.value->'tool_calls', tool_call_id = item.value->>'tool_call_id',
              name = item.value->>'name', status = item.value->>'status', edited_at = now()
         FROM jsonb_array_elements($2::jsonb) AS item(value)
        WHERE m.thread_id = $1 AND m.message_id = item.value->>'id'
          AND (m.content, m.tool_calls, m.tool_call_id, m.name, m.status)
              IS DISTINCT FROM (item.value->>'content', item.value->'tool_calls', item.value->>'tool_call_id', item.value->>'name', item.value->>'status')
       RETURNING ${TRANSCRIPT_COLUMNS.split(", ").map((column) => `m.${column}`).join(", ")}`,
      [threadId, storableJson(messages)],
    );
    return rows.map(toTranscriptMessage).sort((left, right) => left.seq - right.seq);
  }

  /**
   * Copy a thread's history into a fork: the rows of the messages in the forked state, everything said before the
   * oldest of them (turns folded into the running summary are out of the state but still the conversation) and the
   * system lines between them (imported notes the state never holds). Rows keep their time, tool start, session,
   * name and edit mark; seq numbers continue the fork's counter; run ids are not copied (the runs are the source's).
   */
  async copyHistory(copy: { fromThread: string; toThread: string; messageIds: readonly string[] }, db: Queryable = this.pool): Promise<number> {
    if (copy.messageIds.length === 0) return 0;
    const { rowCount } = await db.query(
      `WITH bounds AS (
         SELECT min(seq) AS first, max(seq) AS last FROM messages WHERE thread_id = $1 AND message_id = ANY($2::text[])
       ), reach AS (
         -- System lines up to the next message said after the fork point (those right after it, at the end of the
         -- transcript when forking the latest state, belong to it).
         SELECT coalesce((SELECT min(m.seq) FROM messages m, bounds WHERE m.thread_id = $1 AND m.seq > bounds.last AND m.role <> 'system'), 9223372036854775807) AS next
       ), source AS (
         SELECT m.*, row_number() OVER (ORDER BY m.seq) AS n FROM messages m, bounds, reach
          WHERE m.thread_id = $1 AND (m.message_id = ANY($2::text[]) OR m.seq < bounds.first OR (m.role = 'system' AND m.seq < reach.next))
       ), counter AS (
         UPDATE threads SET message_seq = message_seq + (SELECT count(*) FROM source), last_activity_at = now()
          WHERE thread_id = $3 RETURNING message_seq - (SELECT count(*) FROM source) AS base
       )
       INSERT INTO messages (thread_id, seq, message_id, run_id, role, content, tool_calls, tool_call_id, name, status, args, started_at, session, created_at, edited_at)
       SELECT $3, counter.base + source.n, source.message_id, NULL, source.role, source.content, source.tool_calls, source.tool_call_id,
              source.name, source.status, source.args, source.started_at, source.session, source.created_at, source.edited_at
         FROM source, counter
       ON CONFLICT (thread_id, message_id) DO NOTHING`,
      [copy.fromThread, copy.messageIds, copy.toThread],
    );
    return rowCount ?? 0;
  }

  /** Which of these message ids the thread's transcript already holds. */
  async existingIds(threadId: string, messageIds: readonly string[], db: Queryable = this.pool): Promise<string[]> {
    if (messageIds.length === 0) return [];
    const { rows } = await db.query<{ message_id: string }>("SELECT message_id FROM messages WHERE thread_id = $1 AND message_id = ANY($2::text[])", [threadId, messageIds]);
    return rows.map((row) => row.message_id);
  }

  /** Remove a rolled-back run's messages; returns their ids. */
  async removeRun(threadId: string, runId: string): Promise<string[]> {
    const { rows } = await this.pool.query<{ message_id: string }>(
      "DELETE FROM messages WHERE thread_id = $1 AND run_id = $2 RETURNING message_id",
      [threadId, runId],
    );
    return rows.map((row) => row.message_id);
  }

  /** Remove a run's assistant and tool messages whose ids are not in `keep`; returns the removed ids. */
  async removeRunMessagesExcept(threadId: string, scope: { runId: string; keep: string[] }): Promise<string[]> {
    const { rows } = await this.pool.query<{ message_id: string }>(
      `DELETE FROM messages WHERE thread_id = $1 AND run_id = $2 AND role IN ('assistant', 'tool') AND NOT (message_id = ANY($3::text[]))
       RETURNING message_id`,
      [threadId, scope.runId, scope.keep],
    );
    return rows.map((row) => row.message_id);
  }

  /** Every message a run wrote (its input included), in order. */
  async listRun(threadId: string, runId: string): Promise<TranscriptMessage[]> {
    const { rows } = await this.pool.query<TranscriptRow>(
      `SELECT ${TRANSCRIPT_COLUMNS}
         FROM messages WHERE thread_id = $1 AND run_id = $2 ORDER BY seq`,
      [threadId, runId],
    );
    return rows.map(toTranscriptMessage);
  }

  /** A page ending before `before` (exclusive), oldest first within the page (newest last). */
  async list(threadId: string, options: { limit: number; before?: number }): Promise<{ messages: TranscriptMessage[]; next_before: number | null }> {
    const { rows } = await this.pool.query<TranscriptRow>(
      `SELECT ${TRANSCRIPT_COLUMNS}
         FROM messages WHERE thread_id = $1 AND ($2::bigint IS NULL OR seq < $2)
        ORDER BY seq DESC LIMIT $3`,
      [threadId, options.before ?? null, options.limit + 1],
    );
    const page = rows.slice(0, options.limit).map(toTranscriptMessage).reverse();
    const first = page[0];
    return { messages: page, next_before: rows.length > options.limit && first ? first.seq : null };
  }
}
