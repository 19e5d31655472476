import { Client } from "@langchain/langgraph-sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningServer } from "../../src/app.js";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database.js";
import { startTestServer } from "../helpers/test-server.js";

// LangGraph's bulk run routes through the official SDK: `runs.createBatch` (POST /runs/batch) and `runs.cancelMany`
// (POST /runs/cancel), scoped to the caller like every other route.

let database: TestDatabase;
let server: RunningServer;
let alice: Client;
let bob: Client;
let aliceKey: string;

const human = (content: string) => ({ messages: [{ role: "human", content }] });

beforeAll(async () => {
  database = await createTestDatabase();
  server = await startTestServer({ databaseUrl: database.url, env: { AUTH_MODE: "apikey", FAKE_CHUNK_DELAY_MS: 200 } });
  aliceKey = (await server.services.apiKeys.create("alice")).key;
  const bobKey = (await server.services.apiKeys.create("bob")).key;
  alice = new Client({ apiUrl: server.url, apiKey: null, defaultHeaders: { Authorization: `Bearer ${aliceKey}` } });
  bob = new Client({ apiUrl: server.url, apiKey: null, defaultHeaders: { Authorization: `Bearer ${bobKey}` } });
});
afterAll(async () => {
  await server.close();
  await database.drop();
});

async function post(path: string, body: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${server.url}${path}`, { method: "POST", headers: { "Content-Type": "application/json", Authorization: `Bearer ${aliceKey}` }, body: JSON.stringify(body) });
  return { status: response.status, body: (await response.json().catch(() => ({}))) as Record<string, unknown> };
}

/** Threads created since `since` (the database's clock): another test's stateless threads come and go meanwhile. */
async function threadsSince(since: Date): Promise<number> {
  return Number((await server.services.pool.query<{ count: string }>("SELECT count(*) FROM threads WHERE created_at >= $1", [since])).rows[0]?.count);
}

async function now(): Promise<Date> {
  return (await server.services.pool.query<{ now: Date }>("SELECT now() AS now")).rows[0]?.now ?? new Date();
}

describe("POST /runs/batch", () => {
  it("creates one stateless run per body, each on its own thread; a kept thread holds its reply (the SDK sends camelCase keys)", async () => {
    const runs = await alice.runs.createBatch([
      // The SDK types onCompletion as "complete" | "continue"; LangGraph's API (and Threadline) take "delete" | "keep".
      { assistantId: "chat", input: human("first of the batch"), onCompletion: "keep" as never },
      { assistantId: "chat", input: human("第二个") },
    ]);
    expect(runs).toHaveLength(2);
    expect(new Set(runs.map((run) => run.thread_id)).size).toBe(2);
    const [kept, dropped] = runs;
    await alice.runs.join(kept?.thread_id ?? "", kept?.run_id ?? "");
    const state = await alice.threads.getState<{ messages: { content: string }[] }>(kept?.thread_id ?? "");
    expect(state.values.messages.map((message) => message.content)).toEqual(["first of the batch", "You said: first of the batch"]);
    // on_completion "delete" (the default): its thread goes once the run has finished.
    await expect.poll(async () => (await alice.threads.get(dropped?.thread_id ?? "").then(() => "kept", () => "deleted")), { timeout: 15_000 }).toBe("deleted");
  });

  it("checks every run before creating any: a run that would act is not started when a later one is refused", async () => {
    const since = await now();
    const refused = await post("/runs/batch", [
      { assistant_id: "chat", input: human('/tool send_email {"to":"a@b.co","subject":"s","body":"b"}') },
      { assistant_id: "chat", input: human("fine"), interrupt_before: ["no-such-node"] },
    ]);
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ details: { index: 1 } });
    expect(await threadsSince(since)).toBe(0);
    for (const body of [{ assistant_id: "chat", command: { resume: "yes" } }, { assistant_id: "chat", input: human("x"), checkpoint_id: "1ef" }]) {
      const answer = await post("/runs/batch", [body]);
      expect(answer.status).toBe(400);
    }
  });

  it("refuses a bad body naming its index, and creates nothing; an unknown assistant later takes back the runs before it", async () => {
    const since = await now();
    const bad = await post("/runs/batch", [{ assistant_id: "chat", input: human("fine") }, { assistant_id: "chat", input: human("x"), multitask_strategy: "sometimes" }]);
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ code: "invalid_request", details: { index: 1 } });
    expect(String(bad.body.message)).toMatch(/^Run 1 of the batch: /);
    const unknown = await post("/runs/batch", [{ assistant_id: "chat", input: human("fine") }, { assistant_id: "no-such-assistant", input: human("x") }]);
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ code: "not_found", details: { index: 1 } });
    expect(await threadsSince(since)).toBe(0);
    for (const body of [[], {}, Array.from({ length: 101 }, () => ({ assistant_id: "chat" }))]) {
      expect((await post("/runs/batch", body)).status).toBe(400);
    }
  });
});

describe("POST /runs/cancel", () => {
  it("cancels queued stateless runs (whose threads go as they end) without a 404, every one of them", async () => {
    const bodies = Array.from({ length: 20 }, (_, index) => ({ assistant_id: "chat", input: human(`later ${index}`), after_seconds: 300 }));
    const created = await post("/runs/batch", bodies);
    expect(created.status).toBe(200);
    const cancelled = await fetch(`${server.url}/runs/cancel`, { method: "POST", headers: { "Content-Type": "application/json", Authorization: `Bearer ${aliceKey}` }, body: JSON.stringify({ status: "pending" }) });
    expect(cancelled.status).toBe(204);
    const left = await server.services.pool.query("SELECT 1 FROM runs WHERE status IN ('pending', 'running') AND thread_id = ANY($1::uuid[])", [(created.body as unknown as { thread_id: string }[]).map((run) => run.thread_id)]);
    expect(left.rowCount).toBe(0);
    // One at a time too, its thread deleted the moment the run ends (as a stateless run's cleanup may): cancelled, not 404.
    const one = (await post("/runs/batch", [{ assistant_id: "chat", input: human("later"), after_seconds: 300 }])).body as unknown as { thread_id: string; run_id: string }[];
    const stop = server.services.runEvents.onRunFinished((run) => void server.services.sessions.delete(run.user_id, run.thread_id).catch(() => undefined));
    try {
      const single = await post(`/threads/${one[0]?.thread_id}/runs/${one[0]?.run_id}/cancel`, {});
      expect(single.status).toBe(202);
      expect(single.body.status).toBe("cancelled");
    } finally {
      stop();
    }
  });


  it("cancels a thread's active runs, or the named ones; interrupt by default, as the SDK sends", async () => {
    const thread = await alice.threads.create();
    const running = await alice.runs.create(thread.thread_id, "chat", { input: human("a long answer, to be stopped half way through its words") });
    const queued = await alice.runs.create(thread.thread_id, "chat", { input: human("queued behind it"), multitaskStrategy: "enqueue" });
    // Bob names Alice's thread: nothing of hers is touched.
    await bob.runs.cancelMany({ threadId: thread.thread_id });
    expect((await alice.runs.get(thread.thread_id, queued.run_id)).status).toBe("pending");

    await alice.runs.cancelMany({ threadId: thread.thread_id, runIds: [queued.run_id] });
    expect((await alice.runs.get(thread.thread_id, queued.run_id)).status).toBe("cancelled");
    await alice.runs.cancelMany({ threadId: thread.thread_id, action: "interrupt" });
    await expect.poll(async () => (await alice.runs.get(thread.thread_id, running.run_id)).status, { timeout: 15_000 }).toBe("interrupted");
  });

  it("by status across the caller's threads; a body that names nothing is refused", async () => {
    const first = await alice.threads.create();
    const second = await alice.threads.create();
    const one = await alice.runs.create(first.thread_id, "chat", { input: human("slow words for the first thread, slow words") });
    const two = await alice.runs.create(second.thread_id, "chat", { input: human("slow words for the second thread, slow words"), afterSeconds: 60 });
    await alice.runs.cancelMany({ status: "pending" });
    expect((await alice.runs.get(second.thread_id, two.run_id)).status).toBe("cancelled");
    expect(["pending", "running", "success"]).toContain((await alice.runs.get(first.thread_id, one.run_id)).status);
    await alice.runs.cancelMany({ status: "all", action: "rollback" });
    await expect.poll(async () => (await alice.runs.get(first.thread_id, one.run_id)).status, { timeout: 15_000 }).not.toMatch(/pending|running/);

    expect((await post("/runs/cancel", {})).status).toBe(400);
    expect((await post("/runs/cancel", { run_ids: [first.thread_id] })).status).toBe(400);
    expect((await post("/runs/cancel", { status: "finished" })).status).toBe(400);
  });
});
