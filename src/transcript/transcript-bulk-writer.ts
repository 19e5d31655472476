import type { Queryable } from "../db/database.js";
import type { ConversationLine } from "./conversation-jsonl.js";

/** An imported line with its message id, ready for the transcript. */
export interface ImportedRow extends ConversationLine {
  id: string;
}

/** Rows per INSERT: large enough for bulk speed, small enough for the embedded database's one connection. */
const BATCH_ROWS = 1000;

/** Characters per INSERT, so a batch of long messages stays a reasonable statement. */
const BATCH_CHARS = 4_000_000;

/**
 * Append imported messages to a thread's transcript in batches, keeping their original timestamps, speaker
 * names and sessions (and a tool result's start). Like the live transcript, seq numbers come from the thread row's counter.
 */
export async function appendImportedRows(db: Queryable, threadId: string, rows: readonly ImportedRow[]): Promise<void> {
  for (const batch of batches(rows)) {
    await db.query(
      `WITH counter AS (
         UPDATE threads SET message_seq = message_seq + $2, last_activity_at = now() WHERE thread_id = $1 RETURNING message_seq - $2 AS base
       )
       INSERT INTO messages (thread_id, seq, message_id, run_id, role, content, tool_calls, tool_call_id, args, started_at, name, status, session, created_at)
       SELECT $1, counter.base + item.ordinality, item.value->>'id', NULL, item.value->>'role', item.value->>'content',
              item.value->'tool_calls', item.value->>'tool_call_id', item.value->'args', (item.value->>'started_at')::timestamptz,
              item.value->>'name', item.value->>'status', item.value->>'session', (item.value->>'timestamp')::timestamptz
         FROM counter, jsonb_array_elements($3::jsonb) WITH ORDINALITY AS item(value, ordinality)`,
      [threadId, batch.length, JSON.stringify(batch.map(toRow))],
    );
  }
}

function toRow(row: ImportedRow): Record<string, unknown> {
  // Tool results are `success` unless the line says `error`, as for chatted ones.
  return { ...row, status: row.role === "tool" ? (row.status ?? "success") : undefined };
}

function* batches(rows: readonly ImportedRow[]): Generator<ImportedRow[]> {
  let batch: ImportedRow[] = [];
  let characters = 0;
  for (const row of rows) {
    if (batch.length > 0 && (batch.length >= BATCH_ROWS || characters + row.content.length > BATCH_CHARS)) {
      yield batch;
      batch = [];
      characters = 0;
    }
    batch.push(row);
    characters += row.content.length;
  }
  if (batch.length > 0) yield batch;
}
