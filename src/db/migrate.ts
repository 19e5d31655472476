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
      await new PostgresSaver(poolOf(client)).setup();
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

/** A pool facade over one checked-out client (release is a no-op: the caller owns the client). */
function poolOf(client: pg.PoolClient): pg.Pool {
  const borrowed = { query: client.query.bind(client), release: () => undefined };
  return { connect: () => Promise.resolve(borrowed) } as unknown as pg.Pool;
}
