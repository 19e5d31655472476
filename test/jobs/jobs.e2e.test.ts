import { Client } from "@langchain/langgraph-sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningServer } from "../../src/app.js";
import { createCronBody } from "../../src/jobs/cron/cron-requests.js";
import { verifyWebhookSignature } from "../../src/jobs/webhooks/webhook-signature.js";
import { createTempDir, createTestDatabase } from "../helpers/test-database.js";
import { startTestServer } from "../helpers/test-server.js";
import { TestWsClient } from "../helpers/ws-client.js";
import { jobsOf, type ServerJobs } from "./job-server.js";
import { waitFor } from "./wait-for.js";
import { startWebhookReceiver } from "./webhook-receiver.js";

const USER = "local";
const WEBHOOK_SECRET = "e2e-webhook-secret-0123456789";
const JOB_ENV = { WEBHOOK_SECRET, WEBHOOK_RETRY_DELAY_SECONDS: 1, JOBS_POLL_INTERVAL_SECONDS: 0.5 };

/** Both database kinds, each behind a real server. */
const SERVER_KINDS = [
  {
    name: "Postgres",
    async start() {
      const database = await createTestDatabase();
      const server = await startTestServer({ databaseUrl: database.url, env: JOB_ENV });
      return { server, dispose: async () => (await server.close(), await database.drop()) };
    },
  },
  {
    name: "embedded PGlite",
    async start() {
      const directory = await createTempDir();
      const server = await startTestServer({ dataDir: directory.path, env: JOB_ENV });
      return { server, dispose: async () => (await server.close(), await directory[Symbol.asyncDispose]()) };
    },
  },
];

interface RunRow {
  run_id: string;
  thread_id: string;
  status: string;
  created_at: Date;
  metadata: Record<string, unknown>;
}

describe.each(SERVER_KINDS)("jobs end to end on $name", (kind) => {
  let server: RunningServer;
  let jobs: ServerJobs;
  let dispose: () => Promise<void>;

  const cronRuns = async (cronId: string) =>
    (await server.services.pool.query<RunRow>("SELECT run_id, thread_id, status, created_at, metadata FROM runs WHERE metadata->>'cron_id' = $1 ORDER BY created_at", [cronId])).rows;

  beforeAll(async () => {
    ({ server, dispose } = await kind.start());
    jobs = await jobsOf(server);
  });
  afterAll(async () => {
    await jobs.stop();
    await dispose();
  });

  it("a thread cron fires on time, runs through the run core and the reply lands in the transcript", async () => {
    const { session } = await server.services.sessions.open(USER, { assistant_id: "chat" });
    const body = createCronBody.parse({ schedule: "*/3 * * * * *", input: { messages: [{ role: "user", content: "scheduled hello" }] } });
    const cron = await jobs.crons.create(USER, { ...body, thread_id: session.thread_id });
    await waitFor(async () => (await cronRuns(cron.cron_id)).some((run) => run.status === "success"), 20_000);
    await jobs.crons.delete(USER, cron.cron_id);
    const [first] = await cronRuns(cron.cron_id);
    if (!first) throw new Error("no cron run");
    const scheduled = Date.parse(String(first.metadata.cron_scheduled_at));
    expect(new Date(scheduled).getUTCSeconds() % 3).toBe(0);
    expect(first.created_at.getTime() - scheduled).toBeGreaterThanOrEqual(-50);
    expect(first.created_at.getTime() - scheduled).toBeLessThan(3000);
    const { messages } = await server.services.sessions.messages(USER, session.thread_id, { limit: 20 });
    expect(messages.map((message) => [message.role, message.content])).toEqual(expect.arrayContaining([["user", "scheduled hello"], ["assistant", "You said: scheduled hello"]]));
  });

  it("a cron's context, config, breakpoints and durability reach every firing's run; bad ones are refused when saved", async () => {
    const { session } = await server.services.sessions.open(USER, { assistant_id: "chat" });
    const body = createCronBody.parse({
      schedule: "*/2 * * * * *",
      input: { messages: [{ role: "user", content: "stop before you answer" }] },
      context: { temperature: 0.2 },
      config: { configurable: { max_tokens: 64 }, recursion_limit: 7 },
      interrupt_before: ["model"],
      durability: "exit",
    });
    const cron = await jobs.crons.create(USER, { ...body, thread_id: session.thread_id });
    await waitFor(async () => (await cronRuns(cron.cron_id)).some((run) => run.status === "interrupted"), 20_000);
    await jobs.crons.delete(USER, cron.cron_id);
    const [run] = await cronRuns(cron.cron_id);
    if (!run) throw new Error("no cron run");
    const stored = await server.services.pool.query<{ config: unknown; interrupt_before: string[] }>("SELECT config, interrupt_before FROM runs WHERE run_id = $1", [run.run_id]);
    expect(stored.rows[0]).toEqual({ config: { settings: { temperature: 0.2, max_tokens: 64 }, recursion_limit: 7, durability: "exit" }, interrupt_before: ["model"] });
    expect((await server.services.threadState.get(USER, session.thread_id)).next).toEqual(["model"]);

    const refused = async (extra: Record<string, unknown>) => {
      const error = await jobs.crons.create(USER, { ...createCronBody.parse({ schedule: "0 9 * * *", input: body.input, ...extra }), thread_id: session.thread_id }).catch((caught: unknown) => caught);
      expect(error).toMatchObject({ code: "invalid_request" });
    };
    await refused({ interrupt_before: ["no_such_node"] });
    await refused({ context: { temperature: "very hot" } });
    const kept = await jobs.crons.create(USER, { ...createCronBody.parse({ schedule: "0 9 * * *", input: body.input }), thread_id: session.thread_id });
    const error = await jobs.crons.update(USER, kept.cron_id, { interrupt_after: ["nowhere"] }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: "invalid_request" });
    await jobs.crons.delete(USER, kept.cron_id);
  });

  it("a stateless cron runs on a new thread, then deletes that thread", async () => {
    const body = createCronBody.parse({ assistant_id: "chat", schedule: "*/2 * * * * *", input: { messages: [{ role: "user", content: "stateless ping" }] } });
    const cron = await jobs.crons.create(USER, body);
    // Kept from the read that saw it: once its run ends, the thread (and the run's row with it) may go at any moment.
    let seen: RunRow | undefined;
    await waitFor(async () => {
      [seen] = await cronRuns(cron.cron_id);
      return seen !== undefined;
    }, 20_000);
    await jobs.crons.delete(USER, cron.cron_id);
    const run = seen;
    if (!run) throw new Error("no cron run");
    const gone = async () => (await server.services.pool.query("SELECT 1 FROM threads WHERE thread_id = $1", [run.thread_id])).rows.length === 0;
    await waitFor(gone, 15_000);
    const tombstone = await server.services.pool.query("SELECT 1 FROM thread_tombstones WHERE thread_id = $1", [run.thread_id]);
    expect(tombstone.rows).toHaveLength(1);
  });

  it("over HTTP (official SDK) and WebSocket: crons, thread ttl, prune, no reuse of a deleted id", async (context) => {
    // Needs the routes, WS methods and `ttl` on thread create wired in (docs/jobs.md, "Wiring").
    if (!jobs.wired) context.skip();
    const sdk = new Client({ apiUrl: server.url, apiKey: null });
    const thread = await sdk.threads.create({ ttl: { strategy: "delete", ttl: 90 } });
    expect(await jobs.lifecycle.getTtl(thread.thread_id)).toEqual({ strategy: "delete", ttl: 90 });
    const cron = await sdk.crons.createForThread(thread.thread_id, "chat", { schedule: "0 9 * * *", timezone: "Europe/Paris" });
    expect((await sdk.crons.search({ threadId: thread.thread_id })).map((found) => found.cron_id)).toEqual([cron.cron_id]);
    await using ws = await TestWsClient.connect(server.wsUrl);
    const created = await ws.call<{ cron_id: string; thread_id: string | null }>("cron.create", { assistant_id: "chat", schedule: "30 8 * * 1-5", timezone: "America/New_York" });
    expect(created.thread_id).toBeNull();
    expect((await ws.call<{ crons: unknown[] }>("cron.search", { limit: 100 })).crons.length).toBeGreaterThanOrEqual(2);
    expect(await ws.call("cron.delete", { cron_id: created.cron_id })).toEqual({ cron_id: created.cron_id, deleted: true });
    expect((await ws.callError("cron.create", { schedule: "nope", assistant_id: "chat" })).code).toBe("invalid_request");
    const pruned = await fetch(`${server.url}/threads/prune`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ thread_ids: [thread.thread_id], strategy: "delete" }) });
    expect(await pruned.json()).toEqual({ pruned_count: 1 });
    await expect(sdk.threads.create({ threadId: thread.thread_id })).rejects.toThrow(/409/);
  });

  it("a webhook receiver on loopback gets a verifiable signature, and a retry after a 500", async () => {
    const receiver = await startWebhookReceiver([500, 200]);
    try {
      const { session } = await server.services.sessions.open(USER, { assistant_id: "chat" });
      const { run } = await server.services.runs.submit(USER, { thread_id: session.thread_id, input: { messages: [{ role: "user", content: "notify me" }] }, webhook: receiver.url });
      await waitFor(() => receiver.received.length >= 2, 20_000);
      for (const request of receiver.received) {
        const valid = verifyWebhookSignature({ secret: WEBHOOK_SECRET, body: request.body, timestamp: String(request.headers["x-threadline-timestamp"]), signature: String(request.headers["x-threadline-signature"]) });
        expect(valid).toBe(true);
      }
      const payload = JSON.parse(receiver.received[1]!.body) as { run_id: string; status: string; values: { messages: { content: unknown }[] } };
      expect(payload).toMatchObject({ run_id: run.run_id, thread_id: session.thread_id, status: "success" });
      expect(JSON.stringify(payload.values.messages)).toContain("You said: notify me");
      const outcomes = async () =>
        (await server.services.pool.query<{ outcome: string }>("SELECT outcome FROM webhook_attempts WHERE run_id = $1 ORDER BY attempt_id", [run.run_id])).rows.map((row) => row.outcome);
      // The attempt is recorded just after the receiver answers.
      await waitFor(async () => (await outcomes()).length >= 2);
      expect(await outcomes()).toEqual(["retrying", "delivered"]);
    } finally {
      await receiver.close();
    }
  });

  it("commits the webhook job with the run's outcome, and a failing finishing hook never blocks the run", async () => {
    const receiver = await startWebhookReceiver([200]);
    const removeHook = server.services.runEvents.onRunFinishing(() => Promise.resolve(() => Promise.reject(new Error("hook failed on purpose"))));
    try {
      const { session } = await server.services.sessions.open(USER, { assistant_id: "chat" });
      const { run } = await server.services.runs.submit(USER, { thread_id: session.thread_id, input: { messages: [{ role: "user", content: "atomic" }] }, webhook: receiver.url });
      // One snapshot: whenever the outcome is visible, so is its job (they commit together).
      const snapshot = async () =>
        (
          await server.services.pool.query<{ status: string; jobs: number }>(
            "SELECT r.status, (SELECT count(*)::int FROM pgboss.job j WHERE j.data->>'run_id' = r.run_id::text) AS jobs FROM runs r WHERE r.run_id = $1",
            [run.run_id],
          )
        ).rows[0];
      let seen: { status: string; jobs: number } | undefined;
      await waitFor(async () => {
        seen = await snapshot();
        return seen?.status !== "pending" && seen?.status !== "running";
      }, 20_000);
      expect(seen).toEqual({ status: "success", jobs: 1 });
      await waitFor(() => receiver.received.length >= 1, 20_000);
    } finally {
      removeHook();
      await receiver.close();
    }
  });

  it("runs cancelled before they start send their webhook too: a delayed run cancelled, a waiting run superseded", async () => {
    const receiver = await startWebhookReceiver([200, 200]);
    try {
      const { session: delayedThread } = await server.services.sessions.open(USER, { assistant_id: "chat" });
      const delayed = await server.services.runs.submit(USER, { thread_id: delayedThread.thread_id, input: { messages: [{ role: "user", content: "later" }] }, webhook: receiver.url, after_seconds: 600 });
      await server.services.runs.cancel(USER, { thread_id: delayedThread.thread_id, run_id: delayed.run.run_id });

      const { session } = await server.services.sessions.open(USER, { assistant_id: "chat" });
      const say = (content: string) => ({ messages: [{ role: "user" as const, content }] });
      // Delayed, so it is still waiting when the next message supersedes it.
      const queued = await server.services.runs.submit(USER, { thread_id: session.thread_id, input: say("queued"), webhook: receiver.url, after_seconds: 600 });
      await server.services.runs.submit(USER, { thread_id: session.thread_id, input: say("instead"), multitask_strategy: "interrupt" });

      await waitFor(() => receiver.received.length >= 2, 20_000);
      const payloads = receiver.received.map((request) => JSON.parse(request.body) as { run_id: string; status: string });
      expect(payloads.map((payload) => [payload.run_id, payload.status]).sort()).toEqual(
        [[delayed.run.run_id, "cancelled"], [queued.run.run_id, "cancelled"]].sort(),
      );
    } finally {
      await receiver.close();
    }
  });
});

describe("TTL sweep with a late write (Postgres)", () => {
  let server: RunningServer;
  let jobs: ServerJobs;
  let dispose: () => Promise<void>;

  beforeAll(async () => {
    const database = await createTestDatabase();
    // Slow replies keep a run's model step in flight while its thread is swept.
    server = await startTestServer({ databaseUrl: database.url, env: { ...JOB_ENV, FAKE_CHUNK_DELAY_MS: 600 } });
    dispose = async () => (await server.close(), await database.drop());
    jobs = await jobsOf(server);
  });
  afterAll(async () => {
    await jobs.stop();
    await dispose();
  });

  it("a step still running when the sweeper deletes its expired thread does not bring it back", async (context) => {
    // Needs the app's checkpointer to be tombstone-aware (ThreadlineSaver with tombstones: src/app.ts, docs/jobs.md).
    if (!jobs.wired) context.skip();
    const { services } = server;
    const { pool } = services;
    const { session } = await services.sessions.open(USER, { assistant_id: "chat" });
    const threadId = session.thread_id;
    await jobs.lifecycle.setTtl(USER, threadId, { strategy: "delete", ttl: 1 });
    await pool.query("UPDATE threads SET last_activity_at = now() - interval '10 minutes' WHERE thread_id = $1", [threadId]);
    // The race: the thread is idle and expired when the sweeper picks it, and a run starts before the delete.
    const { SessionLifecycleService } = await import("../../src/jobs/lifecycle/session-lifecycle-service.js");
    const { ThreadTtlStore } = await import("../../src/jobs/lifecycle/thread-ttl-store.js");
    const { CheckpointRetention } = await import("../../src/checkpoint/checkpoint-retention.js");
    const { ThreadTombstones } = await import("../../src/jobs/lifecycle/thread-tombstones.js");
    let statusAtDeletion = "";
    const sweeper = new SessionLifecycleService({
      pool,
      ttls: new ThreadTtlStore(pool),
      pruner: new CheckpointRetention(pool),
      tombstones: new ThreadTombstones(pool),
      logger: services.logger,
      defaultTtl: null,
      threads: {
        delete: async (userId, id) => {
          const { run } = await services.runs.submit(userId, { thread_id: id, input: { messages: [{ role: "user", content: "a long question" }] } });
          await waitFor(async () => (await pool.query("SELECT 1 FROM thread_events WHERE thread_id = $1 AND event = 'message.delta'", [id])).rows.length > 0, 10_000);
          statusAtDeletion = (await pool.query<{ status: string }>("SELECT status FROM runs WHERE run_id = $1", [run.run_id])).rows[0]?.status ?? "";
          await services.sessions.delete(userId, id);
        },
      },
    });
    expect(await sweeper.sweep()).toMatchObject({ deleted: 1 });
    expect(statusAtDeletion).toBe("running");
    await waitFor(() => services.active.size === 0, 15_000);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const count = async (table: string) => Number((await pool.query<{ n: string }>(`SELECT count(*) AS n FROM ${table} WHERE thread_id::text = $1`, [threadId])).rows[0]?.n);
    for (const table of ["threads", "runs", "messages", "thread_events", "checkpoints", "checkpoint_blobs", "checkpoint_writes"]) {
      expect({ table, rows: await count(table) }).toEqual({ table, rows: 0 });
    }
    expect(await count("thread_tombstones")).toBe(1);
  });
});
