import type { Queryable } from "../db/database.js";
import { type ConversationLine, formatConversationLine } from "./conversation-jsonl.js";
import type { TranscriptMessage } from "./transcript-message.js";

/** Rows read per page while exporting. */
const PAGE_ROWS = 1000;

interface ExportRow {
  seq: string;
  role: ConversationLine["role"];
  content: string;
  tool_calls: TranscriptMessage["tool_calls"] | null;
  tool_call_id: string | null;
  args: Record<string, unknown> | null;
  started_at: Date | null;
  name: string | null;
  status: string | null;
  session: string | null;
  created_at: Date;
}

/**
 * A thread's whole transcript as JSONL (the import format), oldest first, one line at a time: pages are read by
 * keyset on seq, so memory stays flat however long the thread. Each yielded string ends with a newline.
 */
export async function* exportConversation(db: Queryable, threadId: string): AsyncGenerator<string> {
  let after = 0;
  for (;;) {
    const { rows } = await db.query<ExportRow>(
      `SELECT seq, role, content, tool_calls, tool_call_id, args, started_at, name, status, session, created_at
         FROM messages WHERE thread_id = $1 AND seq > $2 ORDER BY seq LIMIT $3`,
      [threadId, after, PAGE_ROWS],
    );
    for (const row of rows) yield `${formatConversationLine(toLine(row))}\n`;
    const last = rows.at(-1);
    if (!last || rows.length < PAGE_ROWS) return;
    after = Number(last.seq);
  }
}

function toLine(row: ExportRow): ConversationLine {
  const line: ConversationLine = { role: row.role, content: row.content, timestamp: row.created_at.toISOString() };
  if (row.name) line.name = row.name;
  if (row.session) line.session = row.session;
  // jsonb reorders object keys: write each call in the format's own order, its arguments' keys sorted.
  if (row.tool_calls && row.tool_calls.length > 0) line.tool_calls = row.tool_calls.map((call) => ({ id: call.id, name: call.name, args: sortedKeys(call.args) }));
  if (row.tool_call_id) line.tool_call_id = row.tool_call_id;
  if (row.args) line.args = sortedKeys(row.args);
  // Milliseconds, as `timestamp`: the row has microseconds, which a line does not carry.
  if (row.started_at) line.started_at = row.started_at.toISOString();
  // The format knows success and error: a rejected call's result was an error to the model.
  if (row.status === "error" || row.status === "rejected") line.status = "error";
  return line;
}

/**
 * The value with every object's keys in code-unit order, at every depth (as RFC 8785 orders them): jsonb keeps
 * its own order (shorter keys first), so the canonical form sorts, and arguments written sorted round-trip byte
 * for byte.
 */
function sortedKeys<T>(value: T): T {
  if (Array.isArray(value)) return value.map((item: unknown) => sortedKeys(item)) as T;
  if (value === null || typeof value !== "object") return value;
  const entries = Object.entries(value as Record<string, unknown>).sort(([left], [right]) => (left < right ? -1 : left > right ? 1 : 0));
  return Object.fromEntries(entries.map(([key, item]) => [key, sortedKeys(item)])) as T;
}
