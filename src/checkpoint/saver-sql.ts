import { MESSAGE_REFS_TYPE } from "./message-refs-type.js";

/** Schema-qualified names of the tables ThreadlineSaver uses: PostgresSaver's three and our message table. */
export interface SaverTables {
  checkpoints: string;
  blobs: string;
  writes: string;
  messages: string;
  marks: string;
}

/** Table names in `schema` (PostgresSaver's `schema` option; Threadline uses `public`). */
export function saverTables(schema: string): SaverTables {
  const quoted = `"${schema.replaceAll('"', '""')}"`;
  return {
    checkpoints: `${quoted}.checkpoints`,
    blobs: `${quoted}.checkpoint_blobs`,
    writes: `${quoted}.checkpoint_writes`,
    messages: `${quoted}.checkpoint_messages`,
    marks: `${quoted}.checkpoint_retention_marks`,
  };
}

/** The SQL ThreadlineSaver runs; built once per schema. */
export interface SaverStatements {
  selectCheckpoints: string;
  /** The same, plus the stored messages the row's values refer to: a checkpoint in one round trip. */
  selectCheckpointWithMessages: string;
  /** The latest root checkpoint of each thread of `$1` (text[]), with its messages: a page of threads in one round trip. */
  selectLatestCheckpointsWithMessages: string;
  selectMessages: string;
  selectMaxRef: string;
  selectPendingSends: string;
  insertCheckpoint: string;
  upsertWrites: string;
  insertWrites: string;
  deleteThread: string[];
}

/** The SQL function a gated write asks before writing (migration 009): shared lock on the thread, then its tombstone. */
export const WRITE_GATE_FUNCTION = "threadline_checkpoint_write_allowed";

/** The advisory lock a deletion holds exclusively while it deletes a thread's rows; gated writes hold it shared. */
export const DELETION_LOCK_SQL = "SELECT pg_advisory_xact_lock(hashtext('threadline_deletion:' || $1))";

/**
 * Build the statements. Writes are single statements (data-modifying CTEs): a checkpoint, its new blobs and its
 * new messages commit together without a transaction round trip, which also suits the embedded database's one
 * connection. With `gated`, each write first asks `WRITE_GATE_FUNCTION` about its thread (`$1`), inserts nothing
 * when it says no, and returns one row `{ open }` either way.
 */
export function saverStatements(schema: string, options: { gated?: boolean } = {}): SaverStatements {
  const t = saverTables(schema);
  const gated = options.gated === true;
  const gate = gated ? `gate AS (SELECT ${WRITE_GATE_FUNCTION}($1) AS open), ` : "";
  const onlyIfOpen = gated ? " WHERE (SELECT open FROM gate)" : "";
  const insertMessages = `messages AS (
      INSERT INTO ${t.messages} (thread_id, ref, type, blob)
      SELECT $1, m.ref, m.type, m.blob FROM unnest($7::int[], $8::text[], $9::bytea[]) AS m(ref, type, blob)${onlyIfOpen}
    )`;
  const writesInsert = `INSERT INTO ${t.writes} (thread_id, checkpoint_ns, checkpoint_id, task_id, idx, channel, type, blob)
    SELECT $1, $2, $3, $4, w.idx, w.channel, w.type, w.blob
      FROM unnest($5::int[], $6::text[], $10::text[], $11::bytea[]) AS w(idx, channel, type, blob)${onlyIfOpen}`;
  const blobsInsert = `INSERT INTO ${t.blobs} (thread_id, checkpoint_ns, channel, version, type, blob)
        SELECT $1, $2, b.channel, b.version, b.type, b.blob FROM unnest($10::text[], $11::text[], $12::text[], $13::bytea[]) AS b(channel, version, type, blob)${onlyIfOpen}
        ON CONFLICT (thread_id, checkpoint_ns, channel, version) DO NOTHING`;
  const checkpointInsert = `INSERT INTO ${t.checkpoints} (thread_id, checkpoint_ns, checkpoint_id, parent_checkpoint_id, checkpoint, metadata)
      SELECT $1, $2, $3, $4, $5::jsonb, $6::jsonb${onlyIfOpen}
      ON CONFLICT (thread_id, checkpoint_ns, checkpoint_id) DO UPDATE SET checkpoint = EXCLUDED.checkpoint, metadata = EXCLUDED.metadata`;
  const upsertWrites = `${writesInsert}
      ON CONFLICT (thread_id, checkpoint_ns, checkpoint_id, task_id, idx) DO UPDATE SET channel = EXCLUDED.channel, type = EXCLUDED.type, blob = EXCLUDED.blob`;
  const insertWrites = `${writesInsert}
      ON CONFLICT (thread_id, checkpoint_ns, checkpoint_id, task_id, idx) DO NOTHING`;
  // Gated: the last insert becomes a CTE too (data-modifying CTEs run whether or not they are read), so the
  // statement can answer whether the gate was open.
  const finish = (last: string) => (gated ? `, written AS (${last}) SELECT open FROM gate` : ` ${last}`);
  return {
    // Blobs and writes come back as JSON with base64 bodies: cheaper for node-postgres to parse than bytea[][].
    selectCheckpoints: selectCheckpoints(t, { withMessages: false }),
    selectCheckpointWithMessages: selectCheckpoints(t, { withMessages: true }),
    // One backward probe of the primary key per thread: its newest root checkpoint.
    selectLatestCheckpointsWithMessages: selectCheckpoints(t, {
      withMessages: true,
      from: `unnest($1::text[]) AS want(thread_id)
        CROSS JOIN LATERAL (SELECT * FROM ${t.checkpoints} c WHERE c.thread_id = want.thread_id AND c.checkpoint_ns = ''
                             ORDER BY c.checkpoint_id DESC LIMIT 1) AS cp`,
    }),
    // Ranges, not refs: a conversation's list is one or two ranges however long it is.
    selectMessages: `SELECT m.thread_id, m.ref, m.type, m.blob FROM unnest($1::text[], $2::int[], $3::int[]) AS want(thread_id, first, count)
      CROSS JOIN LATERAL (SELECT * FROM ${t.messages} m
                           WHERE m.thread_id = want.thread_id AND m.ref >= want.first AND m.ref < want.first + want.count) AS m`,
    selectMaxRef: `SELECT coalesce(max(ref), 0) AS max FROM ${t.messages} WHERE thread_id = $1`,
    selectPendingSends: `SELECT checkpoint_id, json_agg(json_build_array(cw.type, encode(cw.blob, 'base64')) ORDER BY cw.task_id, cw.idx) AS sends
      FROM ${t.writes} cw WHERE cw.thread_id = $1 AND cw.checkpoint_id = ANY($2) AND cw.channel = '__pregel_tasks'
      GROUP BY cw.checkpoint_id`,
    insertCheckpoint: `WITH ${gate}${insertMessages}, blobs AS (
        ${blobsInsert}
      )${finish(checkpointInsert)}`,
    upsertWrites: `WITH ${gate}${insertMessages}${finish(upsertWrites)}`,
    insertWrites: `WITH ${gate}${insertMessages}${finish(insertWrites)}`,
    deleteThread: [t.blobs, t.checkpoints, t.writes, t.messages, t.marks].map((table) => `DELETE FROM ${table} WHERE thread_id = $1`),
  };
}

/**
 * PostgresSaver's checkpoint query (values by `channel_versions`, pending writes ordered by task and index) over
 * `from` (checkpoint rows named `cp`; the whole table by default), with optionally the messages the values and
 * writes refer to: the ranges on the first line of each refs payload, each read from `checkpoint_messages` by a
 * range scan of its primary key.
 *
 * Every lookup is a LATERAL probe of a primary key, one per channel and one per range: the plain join PostgresSaver
 * writes lets the planner hash all of a thread's blobs (and here, messages) on every read, which grows with the
 * thread.
 */
function selectCheckpoints(t: SaverTables, options: { withMessages: boolean; from?: string }): string {
  const blobsOf = `FROM jsonb_each_text(cp.checkpoint -> 'channel_versions') AS v
         CROSS JOIN LATERAL (SELECT b.channel, b.type, b.blob FROM ${t.blobs} b
                              WHERE b.thread_id = cp.thread_id AND b.checkpoint_ns = cp.checkpoint_ns AND b.channel = v.key AND b.version = v.value
                              LIMIT 1) AS bl`;
  const writesOf = `FROM ${t.writes} cw WHERE cw.thread_id = cp.thread_id AND cw.checkpoint_ns = cp.checkpoint_ns AND cw.checkpoint_id = cp.checkpoint_id`;
  const messages = `,
      (SELECT json_agg(json_build_array(m.ref, m.type, encode(m.blob, 'base64')))
         FROM (SELECT bl.blob ${blobsOf} WHERE bl.type = '${MESSAGE_REFS_TYPE}'
               UNION ALL SELECT cw.blob ${writesOf} AND cw.type = '${MESSAGE_REFS_TYPE}') AS payloads
        CROSS JOIN LATERAL jsonb_array_elements(split_part(convert_from(payloads.blob, 'UTF8'), E'\\n', 1)::jsonb) AS r
        CROSS JOIN LATERAL (SELECT m.ref, m.type, m.blob FROM ${t.messages} m
                             WHERE m.thread_id = cp.thread_id AND m.ref >= (r ->> 0)::int AND m.ref < (r ->> 0)::int + (r ->> 1)::int) AS m) AS messages`;
  return `SELECT cp.thread_id, cp.checkpoint_ns, cp.checkpoint_id, cp.parent_checkpoint_id, cp.checkpoint, cp.metadata,
      (SELECT json_agg(json_build_array(bl.channel, bl.type, encode(bl.blob, 'base64'))) ${blobsOf}) AS channel_values,
      (SELECT json_agg(json_build_array(cw.task_id, cw.channel, cw.type, encode(cw.blob, 'base64')) ORDER BY cw.task_id, cw.idx) ${writesOf}) AS pending_writes${options.withMessages ? messages : ""}
      FROM ${options.from ?? `${t.checkpoints} cp`} `;
}
