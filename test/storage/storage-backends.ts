import type pg from "pg";
import { openDatabase } from "../../src/db/database.js";
import { migrate } from "../../src/db/migrate.js";
import { createLogger } from "../../src/logger.js";
import { createTempDir, createTestDatabase } from "../helpers/test-database.js";

/** A migrated database of one kind, for the shared storage specs. */
export interface StorageBackend {
  pool: pg.Pool;
  dispose(): Promise<void>;
}

/** Options of a backend: the app's own pool settings. */
export interface StorageBackendOptions {
  /** @default true, as in the app */
  preparedStatements?: boolean;
}

const logger = createLogger({ level: "silent" });

/** Every database kind Threadline supports, opened as the app opens them; the same specs run against each. */
export const STORAGE_BACKENDS: { name: string; open(options?: StorageBackendOptions): Promise<StorageBackend> }[] = [
  {
    name: "Postgres",
    async open(options = {}) {
      const database = await createTestDatabase();
      const directory = await createTempDir();
      const opened = await openDatabase({ databaseUrl: database.url, dataDir: directory.path, logger, maxConnections: 4, ...options });
      await migrate({ pool: opened.pool, logger });
      return {
        pool: opened.pool,
        async dispose() {
          await opened.close();
          await database.drop();
          await directory[Symbol.asyncDispose]();
        },
      };
    },
  },
  {
    name: "embedded PGlite",
    async open(options = {}) {
      const directory = await createTempDir();
      const opened = await openDatabase({ dataDir: directory.path, logger, ...options });
      await migrate({ pool: opened.pool, logger });
      return {
        pool: opened.pool,
        async dispose() {
          await opened.close();
          await directory[Symbol.asyncDispose]();
        },
      };
    },
  },
];
