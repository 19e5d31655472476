import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningServer } from "../../src/app.js";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database.js";
import { startTestServer } from "../helpers/test-server.js";
import { chat, type Frame, TestWsClient } from "../helpers/ws-client.js";
import { requestJson, SseClient, userInput } from "./http-runs-support.js";

// Two instances on one database, as a deployment behind a load balancer; a reply streams slowly enough to delete
// its thread in the middle of it.
let database: TestDatabase;
let instanceA: RunningServer;
let instanceB: RunningServer;
let aliceKey: string;
let bobKey: string;
const sockets: TestWsClient[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  const env = { AUTH_MODE: "apikey" as const, FAKE_CHUNK_DELAY_MS: 300, RUN_POLL_MS: 200 };
  instanceA = await startTestServer({ databaseUrl: database.url, env });
  instanceB = await startTestServer({ databaseUrl: database.url, env });
  aliceKey = (await instanceA.services.apiKeys.create("alice")).key;
  bobKey = (await instanceA.services.apiKeys.create("bob")).key;
});
afterAll(async () => {
  await Promise.all(sockets.map((socket) => socket.close()));
  await instanceA.close();
  await instanceB.close();
  await database.drop();
});

async function connect(server: RunningServer, key: string): Promise<TestWsClient> {
  const socket = await TestWsClient.connect(server.wsUrl, { token: key });
  sockets.push(socket);
  return socket;
}

async function openThread(socket: TestWsClient, window: string): Promise<string> {
  return (await socket.call<{ thread_id: string }>("thread.open", { window_id: window })).thread_id;
}

const deletedFrames = (socket: TestWsClient, threadId?: string) => socket.events(threadId).filter((frame) => frame.event === "thread.deleted");
const auth = (key: string) => ({ Authorization: `Bearer ${key}` });
/** Long enough for a notice that should not come to have come (a NOTIFY crosses instances in milliseconds). */
const settle = () => new Promise((resolve) => setTimeout(resolve, 500));

function expectNotice(frame: Frame, threadId: string, lastSeq: number): void {
  expect(frame).toMatchObject({ type: "event", thread_id: threadId, run_id: null, event: "thread.deleted", data: { thread_id: threadId } });
  expect(frame.seq).toBeGreaterThan(lastSeq);
  expect(typeof (frame as { created_at?: unknown }).created_at).toBe("string");
}

describe("thread.deleted reaches every socket subscribed to a deleted thread", () => {
  it("WS thread.delete in one window: the other window of the same user is told once, another user's socket nothing", async () => {
    const windowA = await connect(instanceA, aliceKey);
    const windowB = await connect(instanceA, aliceKey);
    const bob = await connect(instanceA, bobKey);
    const threadId = await openThread(windowA, "a");
    await chat(windowA, threadId, "hello");
    const lastSeq = Math.max(...windowA.events(threadId).map((frame) => frame.seq ?? 0));
    await windowB.call("subscription.subscribe", { thread_id: threadId });
    const bobThread = await openThread(bob, "bob");
    await bob.call("subscription.subscribe", { thread_id: bobThread });

    await windowB.call("thread.delete", { thread_id: threadId });

    const notice = await windowA.waitForEvent("thread.deleted", { thread_id: threadId });
    expectNotice(notice, threadId, lastSeq);
    // The deleting window was subscribed too: it is told the same way (its subscription ends with it).
    await windowB.waitForEvent("thread.deleted", { thread_id: threadId });
    await settle();
    expect(deletedFrames(windowA)).toHaveLength(1);
    expect(deletedFrames(windowB)).toHaveLength(1);
    expect(deletedFrames(bob)).toHaveLength(0);
    // The subscriptions ended: nobody on either instance listens to the thread any more.
    expect(instanceA.services.bus.hasListeners(threadId)).toBe(false);
  });

  it("a socket not subscribed to the thread (same user) gets nothing", async () => {
    const subscribed = await connect(instanceA, aliceKey);
    const elsewhere = await connect(instanceA, aliceKey);
    const threadId = await openThread(subscribed, "not-subscribed");
    await subscribed.call("subscription.subscribe", { thread_id: threadId });
    const other = await openThread(elsewhere, "other");
    await elsewhere.call("subscription.subscribe", { thread_id: other });
    await subscribed.call("thread.delete", { thread_id: threadId });
    await subscribed.waitForEvent("thread.deleted", { thread_id: threadId });
    await settle();
    expect(deletedFrames(elsewhere)).toHaveLength(0);
  });

  it("deleted on instance A: a subscriber on instance B is told, and its subscription ends there too", async () => {
    const onA = await connect(instanceA, aliceKey);
    const onB = await connect(instanceB, aliceKey);
    const bobOnB = await connect(instanceB, bobKey);
    const threadId = await openThread(onA, "cross-instance");
    await chat(onA, threadId, "from A");
    await onB.call("subscription.subscribe", { thread_id: threadId, since: 0 });
    const lastSeq = Math.max(...onB.events(threadId).map((frame) => frame.seq ?? 0));
    await bobOnB.call("subscription.subscribe", { thread_id: await openThread(bobOnB, "bob-b") });

    await onA.call("thread.delete", { thread_id: threadId });

    expectNotice(await onB.waitForEvent("thread.deleted", { thread_id: threadId }), threadId, lastSeq);
    await settle();
    expect(deletedFrames(onB)).toHaveLength(1);
    expect(deletedFrames(bobOnB)).toHaveLength(0);
    expect(instanceB.services.bus.hasListeners(threadId)).toBe(false);
  });

  it("HTTP DELETE /threads/{id} tells WS subscribers on both instances, ends the thread's SSE stream, a run's stream and a join", async () => {
    const onA = await connect(instanceA, aliceKey);
    const onB = await connect(instanceB, aliceKey);
    const threadId = await openThread(onA, "http-delete");
    await onA.call("subscription.subscribe", { thread_id: threadId });
    await onB.call("subscription.subscribe", { thread_id: threadId });
    await using threadStream = await SseClient.open(`${instanceB.url}/threads/${threadId}/stream`, { headers: auth(aliceKey) });
    // A reply in progress: its run stream would otherwise wait for an end that never comes.
    await using runStream = await SseClient.open(`${instanceA.url}/threads/${threadId}/runs/stream`, {
      method: "POST",
      headers: { ...auth(aliceKey), "Content-Type": "application/json" },
      body: JSON.stringify({ input: userInput("a reply long enough to be deleted in the middle of it"), stream_mode: "messages-tuple" }),
    });
    const { run_id: runId } = (await runStream.next((event) => event.event === "metadata")).data as { run_id: string };
    await runStream.next((event) => event.event === "messages");
    await threadStream.next((event) => event.event === "message.delta");
    const joining = requestJson(instanceB.url, { method: "GET", path: `/threads/${threadId}/runs/${runId}/join`, headers: auth(aliceKey) });
    // The join is waiting (subscribed) before the delete.
    await new Promise((resolve) => setTimeout(resolve, 300));

    const deleted = await requestJson(instanceA.url, { method: "DELETE", path: `/threads/${threadId}`, headers: auth(aliceKey) });
    expect(deleted.status).toBe(204);

    await onA.waitForEvent("thread.deleted", { thread_id: threadId });
    await onB.waitForEvent("thread.deleted", { thread_id: threadId });
    const threadEvents = await threadStream.untilEnd(10_000);
    const last = threadEvents.at(-1);
    expect(last?.event).toBe("thread.deleted");
    expect(last?.id).toBeUndefined();
    expect(last?.data).toMatchObject({ thread_id: threadId, run_id: null, event: "thread.deleted", data: { thread_id: threadId } });
    const runEvents = await runStream.untilEnd(10_000);
    expect(runEvents.at(-1)).toMatchObject({ event: "error", data: { error: "not_found" } });
    // A join waiting on the run ends with the thread instead of waiting out its 30 s slice.
    const joined = await joining;
    expect(joined.status).toBe(404);
  });

  it("POST /threads/prune (the lifecycle's delete, as the TTL sweep uses) tells subscribers too", async () => {
    const socket = await connect(instanceA, aliceKey);
    const threadId = await openThread(socket, "pruned");
    await socket.call("subscription.subscribe", { thread_id: threadId });
    const pruned = await requestJson(instanceB.url, { method: "POST", path: "/threads/prune", body: { thread_ids: [threadId], strategy: "delete" }, headers: auth(aliceKey) });
    expect(pruned.status).toBe(200);
    await socket.waitForEvent("thread.deleted", { thread_id: threadId });
  });
});
