import type { TranscriptMessage } from "./transcript-message.js";

/** A `messages` row as `pg` returns it (bigint seq as a string, nullable columns as null). */
export interface TranscriptRow {
  message_id: string;
  seq: string;
  role: TranscriptMessage["role"];
  content: string;
  tool_calls: TranscriptMessage["tool_calls"] | null;
  tool_call_id: string | null;
  name: string | null;
  status: string | null;
  /** Absent from queries that do not select it. */
  args?: Record<string, unknown> | null;
  /** Absent from queries that do not select it. */
  started_at?: Date | null;
  run_id: string | null;
  created_at: Date;
  /** Absent from queries that do not select it. */
  edited_at?: Date | null;
}

/** A row as the API shows it: optional fields are left out rather than null, so clients see one shape. */
export function toTranscriptMessage(row: TranscriptRow): TranscriptMessage {
  const message: TranscriptMessage = {
    id: row.message_id,
    seq: Number(row.seq),
    role: row.role,
    content: row.content,
    run_id: row.run_id,
    created_at: row.created_at.toISOString(),
  };
  if (row.tool_calls) message.tool_calls = row.tool_calls;
  if (row.tool_call_id) message.tool_call_id = row.tool_call_id;
  if (row.name) message.name = row.name;
  if (row.status) message.status = row.status;
  if (row.args) message.args = row.args;
  if (row.started_at) message.started_at = row.started_at.toISOString();
  if (row.edited_at) message.edited_at = row.edited_at.toISOString();
  return message;
}
