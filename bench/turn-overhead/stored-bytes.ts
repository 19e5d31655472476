import type pg from "pg";

/** Every table that can hold a thread's rows: the checkpointer's tables, then Threadline's own. */
export const THREAD_TABLES = [
  "checkpoints",
  "checkpoint_blobs",
  "checkpoint_writes",
  // ThreadlineSaver's (src/checkpoint): the messages checkpoints refer to, and how far retention pruned a thread.
  "checkpoint_messages",
  "checkpoint_retention_marks",
  "messages",
  "thread_events",
  "runs",
  "threads",
] as const;

/** One table's share of a thread. */
export interface TableBytes {
  table: string;
  rows: number;
  /** Σ pg_column_size(row): the rows as Postgres stores them, TOAST-compressed values at their compressed size. */
  stored: number;
  /** Σ octet_length of every column (non-bytea columns as their text form): the data before compression. */
  logical: number;
}

/** A thread's footprint across tables. */
export interface StoredBytes {
  stored: number;
  logical: number;
  tables: TableBytes[];
}

/**
 * Measure what one thread occupies. Rows are selected by `thread_id` in each table that exists in this database
 * (the baseline's database only has the checkpointer's tables). Indexes, free space and dead tuples are not
 * counted: this is the data a thread owns, not the size of the files.
 */
export async function measureStoredBytes(pool: pg.Pool, threadId: string): Promise<StoredBytes> {
  const tables: TableBytes[] = [];
  for (const table of THREAD_TABLES) {
    const columns = await columnsOf(pool, table);
    if (columns.length === 0) continue;
    const logical = columns
      .map(({ name, type }) => `coalesce(octet_length(${quoteIdentifier(name)}${type === "bytea" || type === "text" ? "" : "::text"}), 0)`)
      .join(" + ");
    const { rows } = await pool.query<{ rows: string; stored: string | null; logical: string | null }>(
      `SELECT count(*) AS rows, sum(pg_column_size(t.*)) AS stored, sum(${logical}) AS logical
         FROM ${quoteIdentifier(table)} t WHERE thread_id = $1`,
      [threadId],
    );
    const row = rows[0];
    tables.push({ table, rows: Number(row?.rows ?? 0), stored: Number(row?.stored ?? 0), logical: Number(row?.logical ?? 0) });
  }
  return {
    stored: tables.reduce((sum, table) => sum + table.stored, 0),
    logical: tables.reduce((sum, table) => sum + table.logical, 0),
    tables,
  };
}

async function columnsOf(pool: pg.Pool, table: string): Promise<{ name: string; type: string }[]> {
  const { rows } = await pool.query<{ name: string; type: string }>(
    `SELECT column_name AS name, data_type AS type FROM information_schema.columns
      WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position`,
    [table],
  );
  return rows;
}

function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
