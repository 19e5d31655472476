import { Client } from "@langchain/langgraph-sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningServer } from "../../src/app.js";
import { TOOLS_WITH_SLOW } from "../helpers/slow-tool.js";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database.js";
import { startTestServer } from "../helpers/test-server.js";
import { waitFor } from "./wait-for.js";
import { startWebhookReceiver } from "./webhook-receiver.js";

let database: TestDatabase;
let server: RunningServer;
let sdk: Client;

beforeAll(async () => {
  database = await createTestDatabase();
  // Slow enough that a run is still going while the test prunes or deletes its thread.
  server = await startTestServer({
    databaseUrl: database.url,
    env: { FAKE_CHUNK_DELAY_MS: 100, WEBHOOK_SECRET: "busy-threads-secret-0123456789", WEBHOOK_RETRY_DELAY_SECONDS: 1, JOBS_POLL_INTERVAL_SECONDS: 0.5 },
    tools: TOOLS_WITH_SLOW,
  });
  sdk = new Client({ apiUrl: server.url, apiKey: null });
});
afterAll(async () => {
  await server.close();
  await database.drop();
});

const say = (content: string) => ({ messages: [{ role: "user", content }] });

async function prune(threadId: string, strategy: "delete" | "keep_latest"): Promise<unknown> {
  const response = await fetch(`${server.url}/threads/prune`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ thread_ids: [threadId], strategy }) });
  return response.json();
}

async function stateMessages(threadId: string): Promise<unknown[]> {
  const state = await sdk.threads.getState<{ messages?: { content: unknown }[] }>(threadId);
  return (state.values.messages ?? []).map((message) => message.content);
}

async function historyLength(threadId: string): Promise<number> {
  return (await sdk.threads.getHistory(threadId, { limit: 100 })).length;
}

/** A thread with two finished turns. */
async function threadWithTwoTurns(): Promise<string> {
  const thread = await sdk.threads.create();
  await sdk.runs.wait(thread.thread_id, "chat", { input: say("my name is Ann") });
  await sdk.runs.wait(thread.thread_id, "chat", { input: say("second turn") });
  return thread.thread_id;
}

describe("pruning a thread while a run goes on", () => {
  it("keep_latest skips a thread with a running run, so rolling that run back restores the thread's state", async () => {
    const threadId = await threadWithTwoTurns();
    const before = await historyLength(threadId);
    const run = await sdk.runs.create(threadId, "chat", { input: say('/tool slow_task {"ms": 20000}') });
    await waitFor(async () => (await historyLength(threadId)) > before, 20_000);

    expect(await prune(threadId, "keep_latest")).toEqual({ pruned_count: 0 });
    expect(await historyLength(threadId)).toBeGreaterThan(before);

    await sdk.runs.cancel(threadId, run.run_id, true, "rollback");
    expect(await stateMessages(threadId)).toEqual(["my name is Ann", "You said: my name is Ann", "second turn", "You said: second turn"]);
    expect(await historyLength(threadId)).toBe(before);
    // Once the thread is idle again, keep_latest prunes it.
    expect(await prune(threadId, "keep_latest")).toEqual({ pruned_count: 1 });
    expect(await historyLength(threadId)).toBe(1);
  });

  it("a rollback whose starting checkpoint is gone deletes nothing, rather than every checkpoint of the thread", async () => {
    const threadId = await threadWithTwoTurns();
    const [, older] = await sdk.threads.getHistory(threadId, { limit: 2 });
    if (!older?.checkpoint.checkpoint_id) throw new Error("no older checkpoint");
    expect(await prune(threadId, "keep_latest")).toEqual({ pruned_count: 1 });
    expect(await server.services.checkpointer.deleteCheckpointsAfter(threadId, older.checkpoint.checkpoint_id)).toBe(0);
    expect(await historyLength(threadId)).toBe(1);
    expect(await stateMessages(threadId)).toHaveLength(4);
  });
});

describe("deleting a thread while runs go on", () => {
  /** A thread with a running run and one queued behind it, both with a webhook. */
  async function busyThread(url: string): Promise<{ threadId: string; runIds: string[] }> {
    const thread = await sdk.threads.create();
    const running = await sdk.runs.create(thread.thread_id, "chat", { input: say('/tool slow_task {"ms": 20000}'), webhook: url });
    const queued = await sdk.runs.create(thread.thread_id, "chat", { input: say("queued behind it"), webhook: url });
    await waitFor(async () => (await sdk.runs.get(thread.thread_id, running.run_id)).status === "running", 20_000);
    return { threadId: thread.thread_id, runIds: [running.run_id, queued.run_id] };
  }

  it("DELETE /threads/{id} and POST /threads/prune (delete) send each run's webhook, cancelled", async () => {
    const receiver = await startWebhookReceiver([200]);
    try {
      const deleted = await busyThread(receiver.url);
      await sdk.threads.delete(deleted.threadId);
      const pruned = await busyThread(receiver.url);
      expect(await prune(pruned.threadId, "delete")).toEqual({ pruned_count: 1 });

      await waitFor(() => receiver.received.length >= 4, 20_000);
      // Nothing more arrives (the executor stopping the running run finds it gone, and sends none of its own).
      await new Promise((resolve) => setTimeout(resolve, 1500));
      const payloads = receiver.received.map((request) => JSON.parse(request.body) as { run_id: string; status: string; error?: string });
      expect(payloads.map((payload) => [payload.run_id, payload.status]).sort()).toEqual([...deleted.runIds, ...pruned.runIds].map((runId) => [runId, "cancelled"]).sort());
      expect(payloads.every((payload) => payload.error === "the thread was deleted")).toBe(true);
    } finally {
      await receiver.close();
    }
  });
});
