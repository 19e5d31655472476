import pg from "pg";
import type { Logger } from "../logger.js";
import { startEmbeddedPostgres } from "./embedded-postgres.js";

/** Anything that can run a query: a pool or a checked-out client. */
export type Queryable = Pick<pg.Pool, "query"> | Pick<pg.PoolClient, "query">;

/** The database the app runs on, whichever kind it is. */
export interface Database {
  pool: pg.Pool;
  kind: "postgres" | "embedded";
  close(): Promise<void>;
}

/** Options for opening the database: an existing pool, a URL, or neither (embedded). */
export interface OpenDatabaseOptions {
  /** Use this pool as is; the caller keeps ownership and closes it. */
  pool?: pg.Pool;
  databaseUrl?: string;
  dataDir: string;
  logger: Logger;
  /** @default 10 */
  maxConnections?: number;
}

/** Connect to Postgres at `databaseUrl`, or start the embedded one when none is given. */
export async function openDatabase(options: OpenDatabaseOptions): Promise<Database> {
  if (options.pool) {
    return { pool: options.pool, kind: "postgres", close: async () => {} };
  }
  if (options.databaseUrl) {
    const pool = createPool(options.databaseUrl, options.maxConnections ?? 10, options.logger);
    return { pool, kind: "postgres", close: () => pool.end() };
  }
  const embedded = await startEmbeddedPostgres({ dataDir: options.dataDir });
  options.logger.info({ dataDir: options.dataDir }, "DATABASE_URL is unset: using the embedded Postgres (PGlite)");
  // PGlite has one session: the socket multiplexes protocol messages, so two connections running extended-protocol
  // queries at once corrupt each other's unnamed statements. One pooled connection serialises everything safely.
  const pool = createPool(embedded.connectionString, 1, options.logger);
  return {
    pool,
    kind: "embedded",
    async close() {
      await pool.end();
      await embedded.stop();
    },
  };
}

function createPool(connectionString: string, max: number, logger: Logger): pg.Pool {
  // A few connections stay open however long the server idles: the first message after a quiet spell would
  // otherwise pay for new connections (TCP, auth, TLS) on its way to the first token.
  const pool = new pg.Pool({ connectionString, max, min: Math.min(4, max), idleTimeoutMillis: 30_000 });
  // An idle client losing its connection must not crash the process.
  pool.on("error", (error) => logger.warn({ err: error }, "idle database client failed"));
  return pool;
}

/** Run `work` in one transaction on one client; rolls back on any error. */
export async function withTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    const result = await work(client);
    await client.query("COMMIT");
    return result;
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
