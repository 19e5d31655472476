import { mkdir } from "node:fs/promises";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { pg_trgm } from "@electric-sql/pglite/contrib/pg_trgm";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";
import lockfile from "proper-lockfile";

/** A holder that stops refreshing its lock (it died) is taken over after this long. */
const LOCK_STALE_MS = 10_000;

/** A running embedded Postgres: PGlite persisted on disk, reachable by `pg` over a loopback socket. */
export interface EmbeddedPostgres {
  connectionString: string;
  stop(): Promise<void>;
}

/**
 * Start PGlite under `dataDir/pglite` behind a loopback socket on a free port.
 * PGlite has a single session, so callers must use one connection at a time (the pool is sized to 1);
 * a second slot only lets a replaced connection reconnect before the old one is detached.
 */
export async function startEmbeddedPostgres(options: { dataDir: string }): Promise<EmbeddedPostgres> {
  const directory = path.join(options.dataDir, "pglite");
  await mkdir(directory, { recursive: true });
  const release = await lockDirectory(directory);
  try {
    const db = await PGlite.create({ dataDir: directory, extensions: { pg_trgm } }).catch((error: unknown) => {
      throw embeddedStartError(error, directory);
    });
    const server = new PGLiteSocketServer({ db, host: "127.0.0.1", port: 0, maxConnections: 2 });
    await server.start();
    const port = readPort(server);
    return {
      connectionString: `postgres://postgres@127.0.0.1:${port}/postgres`,
      async stop() {
        try {
          await server.stop();
          await db.close();
        } finally {
          await release();
        }
      },
    };
  } catch (error) {
    await release();
    throw error;
  }
}

/**
 * Hold the database directory for this process. PGlite is one process's files: a second process (a CLI command
 * beside a running server) would write into them unseen, and each would overwrite the other's pages — its writes
 * lost, the database left half-updated. The lock is refreshed while held; a holder that died is taken over once
 * its lock is stale, so a restart right after a crash waits a few seconds instead of failing.
 */
async function lockDirectory(directory: string): Promise<() => Promise<void>> {
  try {
    return await lockfile.lock(directory, {
      lockfilePath: `${directory}.lock`,
      stale: LOCK_STALE_MS,
      retries: { retries: 6, factor: 1.5, minTimeout: 500, maxTimeout: 4000 },
      onCompromised: () => undefined,
    });
  } catch (error) {
    if ((error as { code?: unknown }).code !== "ELOCKED") throw error;
    throw new Error(
      `The embedded database in ${directory} is in use by another process (a running \`threadline serve\`?). Stop it first, or point this command at it: --url for \`threads\` commands, or a shared Postgres (DATABASE_URL) for both.`,
      { cause: error },
    );
  }
}

function readPort(server: PGLiteSocketServer): number {
  // `port` is updated to the bound port after start(); it is not part of the typed surface.
  const port = (server as unknown as { port?: number }).port;
  if (typeof port !== "number" || port === 0) throw new Error("Embedded Postgres did not report its port");
  return port;
}

/** WASI errno values PGlite's file system reports (an Emscripten `ErrnoError {errno}`, not an Error), in words. */
const ERRNO_WORDS: Record<number, string> = {
  2: "permission denied",
  19: "disk quota exceeded",
  29: "input/output error",
  51: "no space left on device",
  63: "operation not permitted",
  69: "read-only file system",
};

/**
 * PGlite's start failure as an Error that says where and why: its file system throws bare `{errno}` objects, which
 * reached the operator as "[object Object]".
 */
export function embeddedStartError(error: unknown, directory: string): Error {
  if (error instanceof Error) return error;
  const errno = (error as { errno?: unknown } | null)?.errno;
  const cause = typeof errno === "number" ? (ERRNO_WORDS[errno] ?? `file system error ${errno}`) : String(error);
  return new Error(`the embedded database in ${directory} (DATA_DIR) could not be opened: ${cause}; free some space or choose another DATA_DIR, or set DATABASE_URL for a Postgres server`, { cause: error });
}
