import { fileURLToPath } from "node:url";
import type { Client } from "@langchain/langgraph-sdk";
import { beforeAll } from "vitest";
import type { RunningServer } from "../../src/app.js";
import { sdkUser } from "./sdk-user.js";
import { useTestServer } from "./test-server.js";

/** `chat` and `planner` (a zod-state graph with a subgraph: test/helpers/schema-graph.ts). */
const SCHEMA_GRAPHS = fileURLToPath(new URL("./schema-graphs.langgraph.json", import.meta.url));

/** A server with API keys and two SDK users: bob's rows must never answer alice. Read fields inside tests and hooks. */
export interface SdkUsersServer {
  readonly server: RunningServer;
  readonly alice: Client;
  readonly bob: Client;
  /** Alice's API key, for raw requests. */
  readonly aliceKey: string;
  /** A raw JSON request as alice, for bodies the SDK's types would not let through. */
  request(method: string, path: string, body?: unknown): Promise<Response>;
}

/**
 * For one test file: a real server (`AUTH_MODE=apikey`, the graphs `chat` and `planner`) on a fresh database, with
 * the official SDK clients of two users, alice and bob, made before all tests; closed and dropped after them.
 */
export function useSdkUsersServer(): SdkUsersServer {
  const fixture = useTestServer({ env: { AUTH_MODE: "apikey", LANGGRAPH_CONFIG: SCHEMA_GRAPHS } });
  let users: { alice: Client; bob: Client; aliceKey: string } | undefined;
  beforeAll(async () => {
    const { client: alice, key: aliceKey } = await sdkUser(fixture.server, "alice");
    const { client: bob } = await sdkUser(fixture.server, "bob");
    users = { alice, bob, aliceKey };
  });
  const ready = () => {
    if (!users) throw new Error("the SDK users are not ready (used outside the tests, or the server's start failed)");
    return users;
  };
  return {
    get server() {
      return fixture.server;
    },
    get alice() {
      return ready().alice;
    },
    get bob() {
      return ready().bob;
    },
    get aliceKey() {
      return ready().aliceKey;
    },
    request(method, path, body) {
      const headers = { Authorization: `Bearer ${ready().aliceKey}`, "Content-Type": "application/json" };
      return fetch(`${fixture.server.url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    },
  };
}
