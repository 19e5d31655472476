import path from "node:path";
import { fileURLToPath } from "node:url";
import { PostgresSaver } from "@langchain/langgraph-checkpoint-postgres";
import { runner } from "node-pg-migrate";
import type pg from "pg";
import type { Logger } from "../logger.js";

/** The folder of numbered SQL migrations shipped with Threadline. */
export const MIGRATIONS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../migrations");

/** Advisory lock key held for the whole migrate step ("thrdln" in ASCII). */
const MIGRATE_LOCK_KEY = 0x7468_7264_6c6e;

/**
 * Apply pending migrations in order, each in its own transaction, then let the checkpointer create its own
 * tables — all under one advisory lock, so instances starting at once wait for each other instead of racing
 * (node-pg-migrate locks its own part, but `PostgresSaver.setup()` has no lock of its own).
 */
export async function migrate(options: { pool: pg.Pool; logger: Logger }): Promise<{ applied: string[] }> {
  const client = await options.pool.connect();
  try {
    await assertPublicSchema(client);
    await client.query("SELECT pg_advisory_lock($1)", [MIGRATE_LOCK_KEY]);
    try {
      const ran = await runner({
        dbClient: client,
        dir: MIGRATIONS_DIR,
        direction: "up",
        migrationsTable: "threadline_migrations",
        singleTransaction: false,
        advisoryLockMode: "wait",
        checkOrder: true,
        logger: {
          debug: () => undefined,
          info: (message: string) => options.logger.debug({ migration: message }, "migration"),
          warn: (message: string) => options.logger.warn({ migration: message }, "migration"),
          error: (message: string) => options.logger.error({ migration: message }, "migration"),
        },
      });
      // The embedded database has a single pooled connection, so setup() must reuse the one we hold.
      await new PostgresSaver(withoutRedundantCreateSchema(client)).setup();
      const applied = ran.map((migration) => migration.name);
      if (applied.length > 0) options.logger.info({ applied }, "database migrated");
      return { applied };
    } finally {
      await client.query("SELECT pg_advisory_unlock($1)", [MIGRATE_LOCK_KEY]);
    }
  } finally {
    client.release();
  }
}

/**
 * Refuse a connection whose tables would go to a schema other than `public` (a `search_path` in DATABASE_URL's
 * `options`, or set on the role or database): the migrations name their tables unqualified, but the checkpointer
 * reads and writes `public.checkpoints`, so every run would fail with "relation "checkpoints" does not exist".
 */
async function assertPublicSchema(client: pg.PoolClient): Promise<void> {
  const { rows } = await client.query<{ schema: string | null; search_path: string }>("SELECT current_schema() AS schema, current_setting('search_path') AS search_path");
  const schema = rows[0]?.schema ?? null;
  if (schema === "public") return;
  throw new Error(
    `the database connection creates tables in ${schema === null ? "no schema" : `schema "${schema}"`} (search_path = ${rows[0]?.search_path ?? "?"}), ` +
      'but Threadline keeps its tables in "public": remove search_path from DATABASE_URL (options=-c search_path=…) ' +
      "and from the role or database (ALTER ROLE … RESET search_path), or give this deployment a database of its own",
  );
}

const CREATE_SCHEMA = /^CREATE SCHEMA IF NOT EXISTS "([^"]+)"$/;

/**
 * A pool facade over one checked-out client (release is a no-op: the caller owns the client) that skips the
 * checkpointer's `CREATE SCHEMA IF NOT EXISTS "public"` when the schema exists: Postgres checks the right to create
 * schemas before it sees that one exists, so a role with only DML and USAGE could not start a migrated database.
 * Pending checkpointer migrations still run (and then need the rights they need).
 */
function withoutRedundantCreateSchema(client: pg.PoolClient): pg.Pool {
  const query = async (text: unknown, ...rest: unknown[]): Promise<unknown> => {
    const schema = typeof text === "string" ? CREATE_SCHEMA.exec(text.trim())?.[1] : undefined;
    if (schema !== undefined) {
      const { rowCount } = await client.query("SELECT 1 FROM pg_namespace WHERE nspname = $1", [schema]);
      if (rowCount) return { rows: [], rowCount: 0, command: "CREATE" };
    }
    return (client.query as (...args: unknown[]) => Promise<unknown>)(text, ...rest);
  };
  const borrowed = { query, release: () => undefined };
  return { connect: () => Promise.resolve(borrowed) } as unknown as pg.Pool;
}
