import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, expect, it } from "vitest";
import { withTransaction } from "../../src/db/database.js";
import { RunStore } from "../../src/runs/run-store.js";
import { SessionStore } from "../../src/sessions/session-store.js";
import { STORAGE_BACKENDS, type StorageBackend } from "../storage/storage-backends.js";

// Postgres only: the race needs a second connection holding the thread's lock.
const postgres = STORAGE_BACKENDS.find((backend) => backend.name === "Postgres");
let backend: StorageBackend;
let store: RunStore;
let sessions: SessionStore;

beforeAll(async () => {
  if (!postgres) throw new Error("no Postgres storage backend");
  backend = await postgres.open();
  store = new RunStore(backend.pool);
  sessions = new SessionStore(backend.pool);
});
afterAll(async () => backend.dispose());

const LEASE = { owner: "test-instance", ms: 30_000 };
const newRun = (threadId: string) => ({ runId: randomUUID(), threadId, userId: "u1", assistantId: "chat", kind: "chat" as const, strategy: "enqueue" as const, input: null, command: null });

it("a claim that waited for a submission's lock sees the run that submission started, and claims nothing", async () => {
  const { session } = await sessions.open({ userId: "u1", assistantId: "chat" });
  const threadId = session.thread_id;
  // A run already waits on the thread (queued behind an earlier one).
  await withTransaction(backend.pool, (client) => store.insert(client, newRun(threadId)));
  let claim: Promise<unknown> | undefined;
  await withTransaction(backend.pool, async (client) => {
    // A submission holds the thread's lock and starts a run of its own, already claimed…
    await client.query("SELECT 1 FROM threads WHERE thread_id = $1 FOR NO KEY UPDATE", [threadId]);
    await store.insert(client, newRun(threadId), LEASE);
    // …while a dispatcher tries to claim the thread's next run and waits for that lock.
    claim = store.claimNext(threadId, LEASE, () => Promise.resolve("claimed"));
    await new Promise((resolve) => setTimeout(resolve, 200));
  });
  // It must see the running run (committed while it waited): no claim, and no unique-index violation.
  await expect(claim).resolves.toBeUndefined();
  const running = await backend.pool.query<{ n: number }>("SELECT count(*)::int AS n FROM runs WHERE thread_id = $1 AND status = 'running'", [threadId]);
  expect(running.rows[0]?.n).toBe(1);
});

it("a submission's read gives the active runs and the previous run; a finish says whether others still wait", async () => {
  const { session } = await sessions.open({ userId: "u1", assistantId: "chat" });
  const threadId = session.thread_id;
  expect(await store.activeAndLatest(backend.pool, threadId)).toEqual({ active: [], latest: undefined });
  const finish = (runId: string) =>
    withTransaction(backend.pool, (client) => store.finishIn(client, { run: { run_id: runId, thread_id: threadId, user_id: "u1" }, owner: LEASE.owner, outcome: { status: "error", error: { code: "x", message: "y" } } }));

  const first = newRun(threadId);
  await withTransaction(backend.pool, (client) => store.insert(client, first, LEASE));
  expect((await finish(first.runId))?.othersActive).toBe(false);
  const afterFirst = await store.activeAndLatest(backend.pool, threadId);
  expect(afterFirst.active).toEqual([]);
  expect(afterFirst.latest?.status).toBe("error");
  expect(afterFirst.latest?.finished_at).toEqual(expect.any(String));

  const running = newRun(threadId);
  const queued = newRun(threadId);
  await withTransaction(backend.pool, (client) => store.insert(client, running, LEASE));
  await withTransaction(backend.pool, (client) => store.insert(client, queued));
  const { active, latest } = await store.activeAndLatest(backend.pool, threadId);
  expect(active.map((run) => [run.run_id, run.status])).toEqual([[running.runId, "running"], [queued.runId, "pending"]]);
  expect(latest?.status).toBe("pending");
  expect((await finish(running.runId))?.othersActive).toBe(true);
  expect(await finish(running.runId)).toBeUndefined();
});
