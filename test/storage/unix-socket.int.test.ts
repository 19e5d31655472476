import { existsSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.js";
import { openDatabase } from "../../src/db/database.js";
import { migrate } from "../../src/db/migrate.js";
import { createLogger } from "../../src/logger.js";
import { createTempDir, createTestDatabase, type TestDatabase } from "../helpers/test-database.js";

/** Where Debian's Postgres listens on its Unix socket (the machines this runs on). */
const SOCKET_DIRECTORY = "/var/run/postgresql";
const logger = createLogger({ level: "silent" });

describe.runIf(existsSync(`${SOCKET_DIRECTORY}/.s.PGSQL.5432`))("DATABASE_URL over a Unix socket", () => {
  let database: TestDatabase;
  beforeAll(async () => void (database = await createTestDatabase()));
  afterAll(async () => database.drop());

  it("is accepted at start-up and connects (the URL has no host: pg's form, not a WHATWG URL)", async () => {
    const url = `postgres://postgres@/${database.name}?host=${SOCKET_DIRECTORY}`;
    const config = loadConfig({ env: { DATABASE_URL: url } });
    await using directory = await createTempDir();
    const opened = await openDatabase({ databaseUrl: config.DATABASE_URL, dataDir: directory.path, logger });
    try {
      await migrate({ pool: opened.pool, logger });
      const { rows } = await opened.pool.query<{ socket: boolean }>("SELECT inet_server_addr() IS NULL AS socket");
      expect(rows[0]?.socket).toBe(true);
    } finally {
      await opened.close();
    }
  });
});
