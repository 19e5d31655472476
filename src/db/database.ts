import pg from "pg";
import type { Logger } from "../logger.js";
import { startEmbeddedPostgres } from "./embedded-postgres.js";
import { PreparingClient } from "./prepared-statements.js";

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
  /** Run parameterised statements as named prepared statements (off behind a pooler that cannot keep them). @default true */
  preparedStatements?: boolean;
  /** Pipeline statements issued together on one client (pg's pipeline mode). @default true */
  pipeline?: boolean;
  /** Longest wait for a connection, new or pooled. @default 10000 */
  connectTimeoutMs?: number;
}

/** Connect to Postgres at `databaseUrl`, or start the embedded one when none is given. */
export async function openDatabase(options: OpenDatabaseOptions): Promise<Database> {
  if (options.pool) {
    return { pool: options.pool, kind: "postgres", close: async () => {} };
  }
  if (options.databaseUrl) {
    const pool = createPool({ connectionString: options.databaseUrl, max: options.maxConnections ?? 10, logger: options.logger, prepared: options.preparedStatements ?? true, pipeline: options.pipeline ?? true, connectTimeoutMs: options.connectTimeoutMs });
    return { pool, kind: "postgres", close: () => pool.end() };
  }
  const embedded = await startEmbeddedPostgres({ dataDir: options.dataDir });
  options.logger.info({ dataDir: options.dataDir }, "DATABASE_URL is unset: using the embedded Postgres (PGlite)");
  // PGlite has one session: the socket multiplexes protocol messages, so two connections running extended-protocol
  // queries at once corrupt each other's unnamed statements. One pooled connection serialises everything safely.
  // No connect timeout: the in-process database cannot vanish, and its one connection may be busy for long (an import).
  const pool = createPool({ connectionString: embedded.connectionString, max: 1, logger: options.logger, prepared: options.preparedStatements ?? true, pipeline: options.pipeline ?? true, connectTimeoutMs: 0 });
  // PGlite's one session outlives a connection: a replacement connection starts by dropping what its predecessor
  // prepared, or re-preparing a statement under the same name would fail.
  pool.on("connect", (client) => {
    client.query("DEALLOCATE ALL").catch((error: unknown) => options.logger.warn({ err: error }, "could not reset the embedded session's prepared statements"));
  });
  return {
    pool,
    kind: "embedded",
    async close() {
      await pool.end();
      await embedded.stop();
    },
  };
}

/** Options of `createPool`. */
export interface CreatePoolOptions {
  connectionString: string;
  max: number;
  logger: Logger;
  /** Named prepared statements for parameterised queries (`PreparingClient`). */
  prepared: boolean;
  /** pg's pipeline mode. */
  pipeline: boolean;
  /** Longest wait for a connection, new or pooled: `DATABASE_CONNECT_TIMEOUT_MS`; 0 waits as long as it takes. @default 10000 */
  connectTimeoutMs?: number;
}

/** Idle time before TCP keepalive probes start on a database connection. */
const KEEPALIVE_DELAY_MS = 10_000;

/** The pool the app (and the storage tests) use: warm connections, logged idle errors, prepared statements. */
export function createPool(options: CreatePoolOptions): pg.Pool {
  const { connectionString, max, logger } = options;
  // A few connections stay open however long the server idles: the first message after a quiet spell would
  // otherwise pay for new connections (TCP, auth, TLS) on its way to the first token.
  // Pipeline mode: statements a transaction issues together (a lock and the reads or writes behind it) go out at
  // once instead of one round trip each; the server still runs them in order. Sequential awaits behave as before.
  // A database that stops answering must not hold requests forever: connecting (or waiting for a busy pool) gives up
  // after connectTimeoutMs, and TCP keepalive lets the kernel notice a peer that vanished (no FIN, no RST).
  // No per-statement timeout: migrations, imports, sweeps and advisory-lock waits legitimately run long.
  const pool = new pg.Pool({
    connectionString,
    max,
    min: Math.min(4, max),
    idleTimeoutMillis: 30_000,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
    keepAlive: true,
    keepAliveInitialDelayMillis: KEEPALIVE_DELAY_MS,
    pipeline: options.pipeline,
    ...(options.prepared ? { Client: PreparingClient } : {}),
  });
  // An idle client losing its connection must not crash the process.
  // The error carries its whole client (every statement text it prepared, the backend's cancel key): not logged.
  pool.on("error", (error) => logger.warn({ err: { message: error.message, code: (error as { code?: unknown }).code } }, "idle database client failed"));
  return pool;
}

/**
 * Whether the database answers `SELECT 1` within `timeoutMs` (health checks; 0: however long it takes). A check that
 * times out has its connection destroyed (pg's `query_timeout`), so checks against a frozen database do not pile up
 * in the pool.
 */
export async function databaseAnswers(pool: pg.Pool, timeoutMs: number): Promise<boolean> {
  if (timeoutMs <= 0) return pool.query("SELECT 1").then(() => true, () => false);
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
  const check = pool.query({ text: "SELECT 1", query_timeout: timeoutMs } as pg.QueryConfig).then(
    () => true,
    () => false,
  );
  try {
    // The deadline also bounds the wait for a pooled connection, which the query's own timeout does not cover.
    return await Promise.race([check, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** Run `work` in one transaction on one client; rolls back on any error. */
export function withTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  return withTransactionBegun(pool, async (client, begun) => {
    await begun;
    return work(client);
  });
}

/**
 * `withTransaction` without waiting for BEGIN's answer: `work` gets it as `begun` and awaits it together with its
 * first statements, which then share BEGIN's round trip (pg's pipeline mode). Those first statements must only read
 * or lock: were BEGIN to fail, they would have run outside the transaction. Nothing may write before `begun` resolves.
 *
 * `commit` sends COMMIT at once, behind the statements already sent (their round trip then carries it too); `work`
 * must then await those statements and issue nothing more. A statement that failed before it turns the COMMIT into
 * a rollback (Postgres answers "ROLLBACK"), which `commit` reports as an error. Not called: COMMIT follows `work`.
 */
export async function withTransactionBegun<T>(pool: pg.Pool, work: (client: pg.PoolClient, begun: Promise<void>, commit: () => Promise<void>) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let committing: Promise<void> | undefined;
  const commit = () => {
    if (!committing) {
      committing = client.query("COMMIT").then((result) => {
        if (result.command !== "COMMIT") throw new Error(`the transaction was rolled back (${result.command})`);
      });
      // Observed here too: `work` may fail on an earlier statement without awaiting it.
      committing.catch(() => undefined);
    }
    return committing;
  };
  try {
    const begun = client.query("BEGIN").then(() => undefined);
    // Observed here too, so a work that throws before awaiting it leaves no unhandled rejection behind.
    begun.catch(() => undefined);
    const result = await work(client, begun, commit);
    await begun;
    await commit();
    return result;
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
