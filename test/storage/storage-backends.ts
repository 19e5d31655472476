import pg from "pg";
import { startEmbeddedPostgres } from "../../src/db/embedded-postgres.js";
import { migrate } from "../../src/db/migrate.js";
import { createLogger } from "../../src/logger.js";
import { createTempDir, createTestDatabase } from "../helpers/test-database.js";

/** A migrated database of one kind, for the shared storage specs. */
export interface StorageBackend {
  pool: pg.Pool;
  dispose(): Promise<void>;
}

const logger = createLogger({ level: "silent" });

/** Every database kind Threadline supports; the same specs run against each. */
export const STORAGE_BACKENDS: { name: string; open(): Promise<StorageBackend> }[] = [
  {
    name: "Postgres",
    async open() {
      const database = await createTestDatabase();
      const pool = new pg.Pool({ connectionString: database.url, max: 4 });
      await migrate({ pool, logger });
      return { pool, dispose: async () => (await pool.end(), await database.drop()) };
    },
  },
  {
    name: "embedded PGlite",
    async open() {
      const directory = await createTempDir();
      const embedded = await startEmbeddedPostgres({ dataDir: directory.path });
      const pool = new pg.Pool({ connectionString: embedded.connectionString, max: 1 });
      await migrate({ pool, logger });
      return {
        pool,
        async dispose() {
          await pool.end();
          await embedded.stop();
          await directory[Symbol.asyncDispose]();
        },
      };
    },
  },
];
