import { afterAll, beforeAll } from "vitest";
import { type RunningServer, startServer } from "../../src/app.js";
import { type ConfigOverrides, loadConfig } from "../../src/config.js";
import { createLogger, type Logger } from "../../src/logger.js";
import type { ToolDefinition } from "../../src/tools/tool-definition.js";
import { createTestDatabase, type TestDatabase } from "./test-database.js";

/**
 * Start a real server on port 0 with the fake model; `databaseUrl` or `dataDir` (embedded) picks the database.
 * `logger`: to read what the server logs (silent by default, or `TEST_LOG_LEVEL`).
 */
export async function startTestServer(options: { databaseUrl?: string; dataDir?: string; env?: ConfigOverrides; tools?: readonly ToolDefinition[]; logger?: Logger }): Promise<RunningServer> {
  const config = loadConfig({
    env: {},
    overrides: {
      PORT: 0,
      HOST: "127.0.0.1",
      MODEL: "fake",
      LOG_LEVEL: "silent",
      DATA_DIR: options.dataDir ?? "./data/test-unused",
      DATABASE_URL: options.databaseUrl,
      SHUTDOWN_GRACE_MS: 2000,
      ...options.env,
    },
  });
  return startServer({ config, tools: options.tools, logger: options.logger ?? createLogger({ level: process.env.TEST_LOG_LEVEL ?? "silent" }) });
}

/**
 * For one test file: a real server (fake model) on a fresh Postgres database, started before all tests and
 * closed (database dropped) after them. Read `.server` inside tests and hooks.
 */
export function useTestServer(options: { env?: ConfigOverrides; tools?: readonly ToolDefinition[] } = {}): { readonly server: RunningServer } {
  let database: TestDatabase | undefined;
  let server: RunningServer | undefined;
  beforeAll(async () => {
    database = await createTestDatabase();
    server = await startTestServer({ databaseUrl: database.url, env: options.env, tools: options.tools });
  });
  afterAll(async () => {
    await server?.close();
    await database?.drop();
  });
  return {
    get server() {
      if (!server) throw new Error("the test server is not ready (used outside the tests, or its start failed)");
      return server;
    },
  };
}
