import type { Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database.js";
import { startTestServer } from "../helpers/test-server.js";
import { TestWsClient } from "../helpers/ws-client.js";

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.drop();
});

/** Stop reading from the socket, like a frozen or vanished client (pings go unanswered, data piles up). */
function freeze(client: TestWsClient): void {
  (client.socket as unknown as { _socket: Socket })._socket.pause();
}

describe("connection lifecycle", () => {
  it("heartbeats close a socket that stops answering pings", async () => {
    await using server = await startTestServer({ databaseUrl: database.url, env: { WS_HEARTBEAT_MS: 100 } });
    await using healthy = await TestWsClient.connect(server.wsUrl);
    const frozen = await TestWsClient.connect(server.wsUrl);
    freeze(frozen);
    await new Promise((resolve) => setTimeout(resolve, 600));
    (frozen.socket as unknown as { _socket: Socket })._socket.resume();
    expect((await frozen.closed()).code).toBe(1006);
    await healthy.call("thread.list", {});
  });

  it("a client that reads too slowly is dropped instead of buffered without limit", async () => {
    await using server = await startTestServer({
      databaseUrl: database.url,
      env: { WS_MAX_BUFFERED_BYTES: 64 * 1024, WS_MAX_FRAME_BYTES: 600_000 },
    });
    await using writer = await TestWsClient.connect(server.wsUrl);
    const { thread_id } = await writer.call<{ thread_id: string }>("thread.open", { window_id: "bulk" });
    // A large backlog written straight to the event log: what matters here is sending it, not producing it.
    const events = Array.from({ length: 40 }, (_, index) => ({ event: "message.delta" as const, data: { message_id: `m${index}`, text: "长".repeat(90_000) } }));
    await server.services.eventLog.append({ threadId: thread_id, runId: null, events });

    const slow = await TestWsClient.connect(server.wsUrl);
    freeze(slow);
    slow.sendRaw(JSON.stringify({ id: 1, method: "subscription.subscribe", params: { thread_id, since: 0 } }));
    await new Promise((resolve) => setTimeout(resolve, 1500));
    (slow.socket as unknown as { _socket: Socket })._socket.resume();
    expect((await slow.closed()).code).toBe(1006);
    // Everyone else is unaffected.
    await writer.call("thread.get", { thread_id });
  }, 30_000);

  it("graceful shutdown lets an in-flight run finish, then closes sockets with a reason", async () => {
    const server = await startTestServer({ databaseUrl: database.url, env: { FAKE_CHUNK_DELAY_MS: 60, SHUTDOWN_GRACE_MS: 5000 } });
    const client = await TestWsClient.connect(server.wsUrl);
    const { thread_id } = await client.call<{ thread_id: string }>("thread.open", { window_id: "shutdown" });
    const { run_id } = await client.call<{ run_id: string }>("run.start", { thread_id, input: { messages: [{ role: "user", content: "finish me" }] } });
    await client.waitForEvent("message.delta", { run_id });
    const closing = server.close();
    await expect(fetch(`${server.url}/ok`)).rejects.toThrow();
    const completed = await client.waitForEvent("run.completed", { run_id });
    expect(completed).toBeDefined();
    expect(await client.closed()).toEqual({ code: 1001, reason: "server shutting down" });
    await closing;

    await using restarted = await startTestServer({ databaseUrl: database.url });
    const run = await restarted.services.runs.get("local", thread_id, run_id);
    expect(run.status).toBe("success");
  });

  it("shutdown hands runs that outlast the grace period to the next instance, which resumes them", async () => {
    const server = await startTestServer({ databaseUrl: database.url, env: { FAKE_CHUNK_DELAY_MS: 400, SHUTDOWN_GRACE_MS: 100 } });
    const client = await TestWsClient.connect(server.wsUrl);
    const { thread_id } = await client.call<{ thread_id: string }>("thread.open", { window_id: "slow-shutdown" });
    const { run_id } = await client.call<{ run_id: string }>("run.start", { thread_id, input: { messages: [{ role: "user", content: "too slow" }] } });
    await client.waitForEvent("message.delta", { run_id });
    await server.close();
    await using restarted = await startTestServer({ databaseUrl: database.url, env: { RUN_POLL_MS: 100 } });
    const run = await restarted.services.runs.join("local", { thread_id, run_id, timeout_ms: 20_000 });
    expect(run).toMatchObject({ status: "success", attempt: 2 });
    const history = await restarted.services.sessions.messages("local", thread_id, { limit: 10 });
    expect(history.messages.map((message) => message.content)).toEqual(["too slow", "You said: too slow"]);
    expect((await restarted.services.sessions.get("local", thread_id)).status).toBe("idle");
  });

  it.each([
    ["fail", "error"],
    ["resume", "success"],
  ])("a run whose instance died is recovered after its lease expires (RUN_RECOVERY=%s → %s)", async (mode, status) => {
    await using server = await startTestServer({ databaseUrl: database.url, env: { RUN_RECOVERY: mode as "fail" | "resume", RUN_POLL_MS: 100 } });
    const { session } = await server.services.sessions.open("local", { window_id: `crash-${mode}` });
    const runId = mode === "fail" ? "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee" : "aaaaaaaa-bbbb-4ccc-8ddd-ffffffffffff";
    // What a dead instance leaves behind: a running run with the user's input and a lease nobody renews.
    await server.services.pool.query(
      `INSERT INTO runs (run_id, thread_id, user_id, assistant_id, status, input, attempt, lease_owner, lease_expires_at, started_at)
       VALUES ($1, $2, 'local', 'chat', 'running', $3, 1, 'dead-instance', now() - interval '1 second', now())`,
      [runId, session.thread_id, JSON.stringify({ messages: [{ id: `user-${runId}`, role: "user", content: "are you there?" }] })],
    );
    const run = await server.services.runs.join("local", { thread_id: session.thread_id, run_id: runId, timeout_ms: 20_000 });
    expect(run.status).toBe(status);
    // No "attempt 1 of 3" where none follows (recovery mode fail).
    if (status === "error") expect(run.error).toEqual({ code: "worker_lost", message: "the instance executing this run stopped, and it was not resumed (after 1 attempt)" });
    const history = await server.services.sessions.messages("local", session.thread_id, { limit: 10 });
    if (status === "success") expect(history.messages.map((message) => message.content)).toEqual(["are you there?", "You said: are you there?"]);
    expect((await server.services.sessions.get("local", session.thread_id)).status).toBe(status === "error" ? "error" : "idle");
  });
});
