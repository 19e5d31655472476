import { mkdir } from "node:fs/promises";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { pg_trgm } from "@electric-sql/pglite/contrib/pg_trgm";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";

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
  const db = await PGlite.create({ dataDir: directory, extensions: { pg_trgm } });
  const server = new PGLiteSocketServer({ db, host: "127.0.0.1", port: 0, maxConnections: 2 });
  await server.start();
  const port = readPort(server);
  return {
    connectionString: `postgres://postgres@127.0.0.1:${port}/postgres`,
    async stop() {
      await server.stop();
      await db.close();
    },
  };
}

function readPort(server: PGLiteSocketServer): number {
  // `port` is updated to the bound port after start(); it is not part of the typed surface.
  const port = (server as unknown as { port?: number }).port;
  if (typeof port !== "number" || port === 0) throw new Error("Embedded Postgres did not report its port");
  return port;
}
