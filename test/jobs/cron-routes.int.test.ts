import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Client } from "@langchain/langgraph-sdk";
import express from "express";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.js";
import { migrate } from "../../src/db/migrate.js";
import { errorHandler } from "../../src/http/error-handler.js";
import { cronRoutes } from "../../src/http/routes/cron-routes.js";
import { lifecycleRoutes } from "../../src/http/routes/lifecycle-routes.js";
import { createJobSystem, type JobSystem } from "../../src/jobs/job-system.js";
import { ThreadTombstones } from "../../src/jobs/lifecycle/thread-tombstones.js";
import { createLogger } from "../../src/logger.js";
import { SessionStore } from "../../src/sessions/session-store.js";
import { CRON_METHOD_HANDLERS, CRON_METHOD_PARAMS } from "../../src/ws/cron-methods.js";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database.js";
import { fakeAssistants, RecordingRunSubmitter, threadPortOver } from "./cron-fakes.js";

const logger = createLogger({ level: process.env.TEST_LOG_LEVEL ?? "silent" });

describe("cron and prune routes (official SDK) and cron.* WebSocket methods", () => {
  let database: TestDatabase;
  let pool: pg.Pool;
  let jobSystem: JobSystem;
  let server: Server;
  let sessions: SessionStore;
  let url: string;
  const runs = new RecordingRunSubmitter();
  const client = (user: string) => new Client({ apiUrl: url, apiKey: null, defaultHeaders: { "x-test-user": user } });

  beforeAll(async () => {
    database = await createTestDatabase();
    pool = new pg.Pool({ connectionString: database.url, max: 4 });
    await migrate({ pool, logger });
    sessions = new SessionStore(pool);
    const config = loadConfig({ env: {}, overrides: { JOBS_POLL_INTERVAL_SECONDS: 0.5 } });
    jobSystem = createJobSystem({
      pool,
      logger,
      config,
      tombstones: new ThreadTombstones(pool),
      threads: threadPortOver(sessions),
      assistants: fakeAssistants,
      threadState: { get: () => Promise.resolve({ values: {} }) },
      runs: () => runs,
    });
    await jobSystem.start();
    const app = express();
    app.use(express.json());
    app.use((request, response, next) => {
      response.locals.user = { id: request.header("x-test-user") ?? "anonymous" };
      next();
    });
    app.use(cronRoutes(jobSystem));
    app.use(lifecycleRoutes(jobSystem));
    app.use(errorHandler(logger));
    server = createServer(app);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await jobSystem.stop();
    await pool.end();
    await database.drop();
  });

  it("creates, searches, counts, updates and deletes crons through the SDK", async () => {
    const { session } = await sessions.open({ userId: "ann", assistantId: "chat" });
    const sdk = client("ann");
    const threadCron = await sdk.crons.createForThread(session.thread_id, "chat", {
      schedule: "0 9 * * 1-5",
      timezone: "Europe/Paris",
      input: { messages: [{ role: "user", content: "Morning summary please" }] },
      metadata: { kind: "digest" },
      multitaskStrategy: "enqueue",
    });
    expect(threadCron).toMatchObject({ thread_id: session.thread_id, assistant_id: "chat", schedule: "0 9 * * 1-5", timezone: "Europe/Paris", user_id: "ann" });
    expect(threadCron.next_run_date).toMatch(/T0[78]:00:00.000Z$/);
    const stateless = await sdk.crons.create("chat", { schedule: "*/30 * * * *", input: { messages: [{ type: "human", content: "ping" }] }, webhook: "https://example.com/hook" });
    expect(stateless).toMatchObject({ thread_id: null, on_run_completed: "delete", payload: { input: { messages: [{ role: "user", content: "ping" }] } } });

    expect((await sdk.crons.search({ threadId: session.thread_id })).map((cron) => cron.cron_id)).toEqual([threadCron.cron_id]);
    expect(await sdk.crons.count({ assistantId: "chat" })).toBe(2);
    expect(await client("ben").crons.search({})).toEqual([]);

    const updated = await sdk.crons.update(stateless.cron_id, { schedule: "0 12 * * *", enabled: false });
    expect(updated).toMatchObject({ schedule: "0 12 * * *", enabled: false });

    await expect(client("ben").crons.delete(threadCron.cron_id)).rejects.toThrow(/404/);
    await sdk.crons.delete(threadCron.cron_id);
    expect(await sdk.crons.count({})).toBe(1);
  });

  it("search answers only the selected fields (LangGraph's names), for the caller's crons only", async () => {
    const sdk = client("ivy");
    const first = await sdk.crons.create("chat", { schedule: "0 7 * * *", metadata: { suite: "select" } });
    const second = await sdk.crons.create("chat", { schedule: "0 8 * * *", metadata: { suite: "select" } });
    await client("jon").crons.create("chat", { schedule: "0 9 * * *", metadata: { suite: "select" } });

    const slim = await sdk.crons.search({ metadata: { suite: "select" }, select: ["cron_id", "schedule"], sortBy: "created_at", sortOrder: "asc" });
    expect(slim).toEqual([
      { cron_id: first.cron_id, schedule: "0 7 * * *" },
      { cron_id: second.cron_id, schedule: "0 8 * * *" },
    ]);
    const every = ["cron_id", "assistant_id", "thread_id", "end_time", "schedule", "created_at", "updated_at", "user_id", "payload", "next_run_date", "metadata", "timezone", "enabled", "on_run_completed"] as const;
    const [whole] = await sdk.crons.search({ metadata: { suite: "select" }, select: [...every], limit: 1 });
    expect(Object.keys(whole ?? {}).sort()).toEqual([...every].sort());
    expect(await client("jon").crons.search({ select: ["cron_id"] })).toHaveLength(1);
    expect(await client("kim").crons.search({ select: ["cron_id"] })).toEqual([]);
  });

  it("search and count are strict: unknown parameters, select names and sort keys answer 400 invalid_request", async () => {
    const post = (path: string, body: unknown) => fetch(`${url}${path}`, { method: "POST", headers: { "content-type": "application/json", "x-test-user": "ivy" }, body: JSON.stringify(body) });
    const now = await post("/runs/crons/search", { select: ["cron_id", "now"] });
    expect(now.status).toBe(400);
    expect(await now.json()).toMatchObject({ code: "invalid_request", message: expect.stringMatching(/now is not supported in select/) as string });
    for (const [path, body] of [
      ["/runs/crons/search", { query: "unknown parameter" }],
      ["/runs/crons/search", { select: ["cron_id", "owner"] }],
      ["/runs/crons/search", { select: [] }],
      ["/runs/crons/search", { sort_by: "schedule" }],
      ["/runs/crons/count", { limit: 5 }],
      ["/runs/crons/count", { select: ["cron_id"] }],
    ] as const) {
      const answer = await post(path, body);
      expect(answer.status, JSON.stringify(body)).toBe(400);
      expect(await answer.json()).toMatchObject({ code: "invalid_request" });
    }
  });

  it("answers bad input with invalid_request and other users' threads with not_found", async () => {
    const { session } = await sessions.open({ userId: "cat", assistantId: "chat" });
    const post = (path: string, body: unknown, user = "cat") =>
      fetch(`${url}${path}`, { method: "POST", headers: { "content-type": "application/json", "x-test-user": user }, body: JSON.stringify(body) });
    const badSchedule = await post("/runs/crons", { assistant_id: "chat", schedule: "every morning" });
    expect(badSchedule.status).toBe(400);
    expect(await badSchedule.json()).toMatchObject({ code: "invalid_request" });
    expect((await post("/runs/crons", { assistant_id: "chat", schedule: "0 9 * * *", webhook: "file:///etc/passwd" })).status).toBe(400);
    // A port fetch() refuses (WHATWG "bad port") could never be delivered to: refused now, not retried until it gives up.
    const badPort = await post("/runs/crons", { assistant_id: "chat", schedule: "0 9 * * *", webhook: "https://hooks.example.com:6667/x" });
    expect(badPort.status).toBe(400);
    expect(JSON.stringify(await badPort.json())).toContain("webhook port 6667 is one fetch() refuses");
    expect((await post("/runs/crons", { assistant_id: "chat", schedule: "0 9 * * *", timezone: "Nowhere/Else" })).status).toBe(400);
    const foreign = await post(`/threads/${session.thread_id}/runs/crons`, { assistant_id: "chat", schedule: "0 9 * * *" }, "dan");
    expect(foreign.status).toBe(404);
    expect(await foreign.json()).toMatchObject({ code: "not_found" });
  });

  it("POST /threads/prune deletes the caller's threads only", async () => {
    const mine = (await sessions.open({ userId: "eve", assistantId: "chat" })).session.thread_id;
    const theirs = (await sessions.open({ userId: "fay", assistantId: "chat" })).session.thread_id;
    const response = await fetch(`${url}/threads/prune`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-test-user": "eve" },
      body: JSON.stringify({ thread_ids: [mine, theirs], strategy: "delete" }),
    });
    expect(await response.json()).toEqual({ pruned_count: 1 });
    await expect(sessions.get("eve", mine)).rejects.toMatchObject({ code: "not_found" });
    expect((await sessions.get("fay", theirs)).thread_id).toBe(theirs);
    const bad = await fetch(`${url}/threads/prune`, { method: "POST", headers: { "content-type": "application/json", "x-test-user": "eve" }, body: JSON.stringify({ thread_ids: [], strategy: "nuke" }) });
    expect(bad.status).toBe(400);
  });

  it("cron.* WebSocket handlers validate strictly and are scoped to the socket's user", async () => {
    const connection = { user: { id: "gus" } };
    const created = (await CRON_METHOD_HANDLERS["cron.create"](connection, CRON_METHOD_PARAMS["cron.create"].parse({ assistant_id: "chat", schedule: "0 8 * * *", timezone: "Asia/Tokyo" }), jobSystem)) as { cron_id: string; next_run_date: string };
    expect(created.next_run_date).toMatch(/T23:00:00.000Z$/);
    expect(CRON_METHOD_PARAMS["cron.create"].safeParse({ assistant_id: "chat", schedule: "0 8 * * *", typo: 1 }).success).toBe(false);
    const found = await CRON_METHOD_HANDLERS["cron.search"](connection, CRON_METHOD_PARAMS["cron.search"].parse({}), jobSystem);
    expect(found).toMatchObject({ crons: [{ cron_id: created.cron_id }] });
    expect(await CRON_METHOD_HANDLERS["cron.search"]({ user: { id: "hal" } }, CRON_METHOD_PARAMS["cron.search"].parse({}), jobSystem)).toEqual({ crons: [] });
    await expect(CRON_METHOD_HANDLERS["cron.delete"]({ user: { id: "hal" } }, { cron_id: created.cron_id }, jobSystem)).rejects.toMatchObject({ code: "not_found" });
    const updated = await CRON_METHOD_HANDLERS["cron.update"](connection, CRON_METHOD_PARAMS["cron.update"].parse({ cron_id: created.cron_id, enabled: false }), jobSystem);
    expect(updated).toMatchObject({ enabled: false });
    expect(await CRON_METHOD_HANDLERS["cron.delete"](connection, { cron_id: created.cron_id }, jobSystem)).toEqual({ cron_id: created.cron_id, deleted: true });
  });
});
