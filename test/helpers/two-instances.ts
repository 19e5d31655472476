import { afterAll, beforeAll } from "vitest";
import type { RunningServer } from "../../src/app.js";
import type { ConfigOverrides } from "../../src/config.js";
import type { ToolDefinition } from "../../src/tools/tool-definition.js";
import { createTestDatabase, type TestDatabase } from "./test-database.js";
import { startTestServer } from "./test-server.js";
import { TestWsClient } from "./ws-client.js";

/** Two servers on one fresh database (a deployment behind a load balancer) with API keys for alice and bob. */
export interface TwoInstances {
  readonly instanceA: RunningServer;
  readonly instanceB: RunningServer;
  readonly aliceKey: string;
  readonly bobKey: string;
  /** A socket to `server` as the key's user, closed after the file's tests. */
  connect: (server: RunningServer, key: string) => Promise<TestWsClient>;
}

/**
 * Start two instances (AUTH_MODE=apikey plus `env`, the built-in tools or `tools`) before the file's tests; close
 * them and drop the database after.
 */
export function useTwoInstances(env: ConfigOverrides = {}, tools?: readonly ToolDefinition[]): TwoInstances {
  let database: TestDatabase | undefined;
  let started: { a: RunningServer; b: RunningServer; alice: string; bob: string } | undefined;
  const sockets: TestWsClient[] = [];
  beforeAll(async () => {
    database = await createTestDatabase();
    const settings = { AUTH_MODE: "apikey" as const, ...env };
    const a = await startTestServer({ databaseUrl: database.url, env: settings, tools });
    const b = await startTestServer({ databaseUrl: database.url, env: settings, tools });
    started = { a, b, alice: (await a.services.apiKeys.create("alice")).key, bob: (await a.services.apiKeys.create("bob")).key };
  });
  afterAll(async () => {
    await Promise.all(sockets.map((socket) => socket.close()));
    await started?.a.close();
    await started?.b.close();
    await database?.drop();
  });
  const ready = () => {
    if (!started) throw new Error("useTwoInstances: read the instances inside a test");
    return started;
  };
  return {
    get instanceA() {
      return ready().a;
    },
    get instanceB() {
      return ready().b;
    },
    get aliceKey() {
      return ready().alice;
    },
    get bobKey() {
      return ready().bob;
    },
    connect: async (server, key) => {
      const socket = await TestWsClient.connect(server.wsUrl, { token: key });
      sockets.push(socket);
      return socket;
    },
  };
}
