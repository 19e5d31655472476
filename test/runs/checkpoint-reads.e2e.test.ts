import { afterAll, beforeAll, expect, it, vi } from "vitest";
import type { RunningServer } from "../../src/app.js";
import { startTestServer } from "../helpers/test-server.js";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database.js";
import { postStateEdit } from "../helpers/state-edit.js";
import { chat, TestWsClient } from "../helpers/ws-client.js";

// Two instances on one database (a run's first read may only be skipped when its claim proves nothing changed
// since its instance wrote the checkpoint), and one that keeps no checkpoint in memory.
let database: TestDatabase;
let first: RunningServer;
let second: RunningServer;
let uncached: RunningServer;

beforeAll(async () => {
  database = await createTestDatabase();
  first = await startTestServer({ databaseUrl: database.url });
  second = await startTestServer({ databaseUrl: database.url });
  uncached = await startTestServer({ databaseUrl: database.url, env: { CHECKPOINT_CACHE_THREADS: 0 } });
});
afterAll(async () => {
  await Promise.all([first?.close(), second?.close(), uncached?.close()]);
  await database?.drop();
});

/** One chat turn over the server's WebSocket, with the statements reading checkpoints (`getTuple` / `list`) it sent. */
async function turn(server: RunningServer, threadId: string, content: string): Promise<number> {
  await using client = await TestWsClient.connect(server.wsUrl);
  // Spied, not replaced: every query still runs; the calls are counted afterwards.
  const spy = vi.spyOn(server.services.pool, "query");
  try {
    await chat(client, threadId, content);
    await server.services.active.drain(10_000);
    return spy.mock.calls.filter(([text]) => typeof text === "string" && text.startsWith("SELECT cp.thread_id")).length;
  } finally {
    spy.mockRestore();
  }
}

async function openThread(server: RunningServer): Promise<string> {
  await using client = await TestWsClient.connect(server.wsUrl);
  return (await client.call<{ thread_id: string }>("thread.open", {})).thread_id;
}

async function contents(server: RunningServer, threadId: string): Promise<string[]> {
  await using client = await TestWsClient.connect(server.wsUrl);
  const state = await client.call<{ values: { messages: { content: string }[] } }>("state.get", { thread_id: threadId });
  return state.values.messages.map((message) => message.content);
}

it("runs read no checkpoint: the first finds none at its claim, the next start from the one their instance wrote", async () => {
  const threadId = await openThread(first);
  expect(await turn(first, threadId, "first")).toBe(0);
  expect(await turn(first, threadId, "second")).toBe(0);
  expect(await turn(first, threadId, "third")).toBe(0);
  expect(await contents(first, threadId)).toEqual(["first", "You said: first", "second", "You said: second", "third", "You said: third"]);
});

it("a run after another instance's run reads the checkpoint, on either instance, and sees every turn", async () => {
  const threadId = await openThread(first);
  expect(await turn(first, threadId, "one")).toBe(0);
  expect(await turn(second, threadId, "two")).toBeGreaterThan(0);
  // `first` still remembers where its own run ended; the claim shows `second` wrote since.
  expect(await turn(first, threadId, "three")).toBeGreaterThan(0);
  expect(await turn(first, threadId, "four")).toBe(0);
  expect(await contents(second, threadId)).toEqual(["one", "You said: one", "two", "You said: two", "three", "You said: three", "four", "You said: four"]);
});

it("a run after a state edit reads the checkpoint the edit wrote", async () => {
  const threadId = await openThread(first);
  expect(await turn(first, threadId, "before")).toBe(0);
  expect((await postStateEdit(first.url, threadId, [{ role: "assistant", content: "a note added by an operator" }])).status).toBe(200);
  expect(await turn(first, threadId, "after")).toBeGreaterThan(0);
  expect(await contents(first, threadId)).toEqual(["before", "You said: before", "a note added by an operator", "after", "You said: after"]);
});

it("with CHECKPOINT_CACHE_THREADS=0 every run after the first reads its checkpoint", async () => {
  const threadId = await openThread(uncached);
  expect(await turn(uncached, threadId, "first")).toBe(0);
  expect(await turn(uncached, threadId, "second")).toBeGreaterThan(0);
  expect(await contents(uncached, threadId)).toEqual(["first", "You said: first", "second", "You said: second"]);
});
