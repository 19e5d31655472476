import { Client } from "@langchain/langgraph-sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningServer } from "../../src/app.js";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database.js";
import { startTestServer } from "../helpers/test-server.js";

// The SDK calls that answered 404 before (counts, graph drawings and schemas, state metadata patches), through the
// official client against a real server, each for two users: alice's ids are unknown to bob.

let database: TestDatabase;
let server: RunningServer;
let alice: Client;
let bob: Client;
let aliceKey: string;

beforeAll(async () => {
  database = await createTestDatabase();
  server = await startTestServer({ databaseUrl: database.url, env: { AUTH_MODE: "apikey" } });
  aliceKey = (await server.services.apiKeys.create("alice")).key;
  const bobKey = (await server.services.apiKeys.create("bob")).key;
  alice = new Client({ apiUrl: server.url, apiKey: null, defaultHeaders: { Authorization: `Bearer ${aliceKey}` } });
  bob = new Client({ apiUrl: server.url, apiKey: null, defaultHeaders: { Authorization: `Bearer ${bobKey}` } });
});
afterAll(async () => {
  await server.close();
  await database.drop();
});

/** A raw request as alice, for bodies the SDK would never send. */
function post(path: string, body: unknown): Promise<Response> {
  return fetch(`${server.url}${path}`, { method: "POST", headers: { Authorization: `Bearer ${aliceKey}`, "Content-Type": "application/json" }, body: JSON.stringify(body) });
}

describe("threads.count and assistants.count", () => {
  it("count the caller's threads with the search filters, all pages", async () => {
    for (let index = 0; index < 3; index += 1) await alice.threads.create({ metadata: { project: "count", index } });
    await alice.threads.create({ metadata: { project: "other" } });
    await bob.threads.create({ metadata: { project: "count" } });

    expect(await alice.threads.count({ metadata: { project: "count" } })).toBe(3);
    expect(await alice.threads.count()).toBe(4);
    expect(await alice.threads.count({ metadata: { project: "count" }, status: "idle" })).toBe(3);
    expect(await alice.threads.count({ status: "busy" })).toBe(0);
    expect(await bob.threads.count()).toBe(1);
    // The same filters as search: the count is the length of every page together.
    expect(await alice.threads.search({ metadata: { project: "count" }, limit: 100 })).toHaveLength(3);
  });

  it("count assistants as search lists them: the graph defaults and the caller's own", async () => {
    await alice.assistants.create({ graphId: "chat", name: "Travel planner", metadata: { team: "a" } });
    await alice.assistants.create({ graphId: "chat", name: "Code reviewer", metadata: { team: "a" } });
    await bob.assistants.create({ graphId: "chat", name: "Bob's travel helper", metadata: { team: "a" } });

    expect(await alice.assistants.count()).toBe(3);
    expect(await alice.assistants.count({ graphId: "chat" })).toBe(3);
    expect(await alice.assistants.count({ graphId: "none" })).toBe(0);
    expect(await alice.assistants.count({ metadata: { team: "a" } })).toBe(2);
    expect(await alice.assistants.count({ name: "travel" })).toBe(1);
    expect(await bob.assistants.count()).toBe(2);
    // search honours `name` the same way (it used to ignore it).
    expect((await alice.assistants.search({ name: "TRAVEL" })).map((assistant) => assistant.name)).toEqual(["Travel planner"]);
    expect(await alice.assistants.count({ name: "%" })).toBe(0);
  });

  it("refuse malformed filters with 400 invalid_request", async () => {
    for (const [path, body] of [
      ["/threads/count", { status: "sleeping" }],
      ["/threads/count", { metadata: "project" }],
      ["/threads/count", { values: { messages: [] } }],
      ["/assistants/count", { graph_id: 7 }],
      ["/assistants/count", { metadata: [] }],
    ] as const) {
      const response = await post(path, body);
      expect(response.status, `${path} ${JSON.stringify(body)}`).toBe(400);
      expect(await response.json()).toMatchObject({ code: "invalid_request" });
    }
  });
});
