import pg from "pg";
import { afterAll, expect, it, vi } from "vitest";
import { RunStore } from "../../src/runs/run-store.js";
import { useTestServer } from "../helpers/test-server.js";
import { chat, TestWsClient } from "../helpers/ws-client.js";

/** One statement as a connection sent it: `wave` counts the answers that connection had received before it was sent. */
interface Sent {
  connection: number;
  text: string;
  wave: number;
}

const sent: Sent[] = [];
let recording = false;
const answers = new WeakMap<object, { id: number; received: number }>();
let connections = 0;

// Patched before the server starts: every pool client (PreparingClient binds this method when constructed) is seen.
// eslint-disable-next-line @typescript-eslint/unbound-method -- called below with the client as `this`
const originalQuery = pg.Client.prototype.query;
function recordingQuery(this: pg.Client, ...args: unknown[]): unknown {
  const state = answers.get(this) ?? { id: (connections += 1), received: 0 };
  answers.set(this, state);
  const first = args[0];
  const text = typeof first === "string" ? first : (first as { text?: string }).text ?? "";
  if (recording) sent.push({ connection: state.id, text: text.replace(/\s+/g, " ").trim(), wave: state.received });
  const result = (originalQuery as (...inner: unknown[]) => unknown).apply(this, args);
  const count = () => (state.received += 1);
  if (result instanceof Promise) result.then(count, count);
  return result;
}
pg.Client.prototype.query = recordingQuery as typeof pg.Client.prototype.query;
afterAll(() => {
  pg.Client.prototype.query = originalQuery;
});

const fixture = useTestServer();

/** The transaction (BEGIN … COMMIT, on its connection) that holds the first statement matching `marker`. */
function transactionOf(marker: RegExp): Sent[] {
  const anchor = sent.find((statement) => marker.test(statement.text));
  if (!anchor) throw new Error(`no statement matched ${marker}: ${sent.map((statement) => statement.text.slice(0, 60)).join(" | ")}`);
  const mine = sent.filter((statement) => statement.connection === anchor.connection);
  const at = mine.indexOf(anchor);
  const begin = mine.findLastIndex((statement, index) => statement.text === "BEGIN" && index <= at);
  const end = mine.findIndex((statement, index) => index > at && statement.text === "COMMIT");
  if (begin < 0 || end < 0) throw new Error(`${marker} was not sent inside a transaction`);
  return mine.slice(begin, end + 1);
}

it("pool connections run in pipeline mode", async () => {
  const client = await fixture.server.services.pool.connect();
  try {
    expect(client.pipeline).toBe(true);
  } finally {
    client.release();
  }
});

it("a submission sends BEGIN, the thread's lock and the reads in one round trip, the run and its input in the next, its start events and COMMIT in the last; a finish sends the lock, the outcome and the final event in one", async () => {
  await using client = await TestWsClient.connect(fixture.server.wsUrl);
  const { thread_id: threadId } = await client.call<{ thread_id: string }>("thread.open", {});
  await chat(client, threadId, "warm up");
  recording = true;
  const { final } = await chat(client, threadId, "measured turn");
  recording = false;
  expect(final.event).toBe("run.completed");

  const submission = transactionOf(/FROM threads WHERE thread_id = \$1 AND user_id = \$2 FOR NO KEY UPDATE/);
  const firstWave = submission.filter((statement) => statement.wave === submission[0]?.wave).map((statement) => statement.text.slice(0, 40));
  expect(firstWave).toEqual(["BEGIN", "SELECT 1 FROM threads WHERE thread_id = ", expect.stringMatching(/^\(SELECT run_id/)]);
  // The run's insert waits for them: it depends on what they read. The input's transcript append goes with it, and
  // the start events (which carry the input's stored rows) go out with the COMMIT: five round trips were three.
  expect(submission.slice(3).map((statement) => statement.text.slice(0, 60))).toEqual([
    expect.stringMatching(/INSERT INTO runs/),
    expect.stringMatching(/^WITH counter AS \( UPDATE threads SET message_seq/),
    expect.stringMatching(/^WITH counter AS \( UPDATE thread_event_seqs/),
    "COMMIT",
  ]);
  const [, , , insert, transcript, events, submitted] = submission;
  expect(insert?.wave).toBe((submission[0]?.wave ?? 0) + 3);
  expect(transcript?.wave).toBe(insert?.wave);
  expect(events?.wave).toBe((insert?.wave ?? 0) + 2);
  expect(submitted?.wave).toBe(events?.wave);

  const finish = transactionOf(/UPDATE runs SET status = \$3/);
  expect(finish.map((statement) => statement.text.slice(0, 30))).toEqual([
    "BEGIN",
    "SELECT 1 FROM threads WHERE th",
    "WITH finished AS ( UPDATE runs",
    "WITH counter AS ( UPDATE threa",
    "COMMIT",
  ]);
  // BEGIN is answered first; the lock, the outcome and the event then go out together, before any of them is answered.
  const [begin, lock, outcome, event, commit] = finish;
  expect(new Set([lock?.wave, outcome?.wave, event?.wave]).size).toBe(1);
  expect(lock?.wave).toBe((begin?.wave ?? 0) + 1);
  expect(commit?.wave).toBe((lock?.wave ?? 0) + 3);
  expect(event?.text).toMatch(/thread_event_seqs/);
});

it("a stored assistant is read inside the submission's first round trip, with BEGIN and the lock; an invalid setting writes nothing", async () => {
  const created = await fetch(`${fixture.server.url}/assistants`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ graph_id: "chat", name: "custom", context: { model: "fake" } }) });
  const { assistant_id: assistantId } = (await created.json()) as { assistant_id: string };
  await using client = await TestWsClient.connect(fixture.server.wsUrl);
  const { thread_id: threadId } = await client.call<{ thread_id: string }>("thread.open", { assistant_id: assistantId, window_id: "custom-assistant" });
  await chat(client, threadId, "warm up");
  sent.length = 0;
  recording = true;
  const { final } = await chat(client, threadId, "measured turn");
  recording = false;
  expect(final.event).toBe("run.completed");
  const reads = sent.filter((statement) => statement.text.startsWith("SELECT * FROM assistants"));
  expect(reads).toHaveLength(1);
  const submission = transactionOf(/FROM threads WHERE thread_id = \$1 AND user_id = \$2 FOR NO KEY UPDATE/);
  const firstWave = submission.filter((statement) => statement.wave === submission[0]?.wave).map((statement) => statement.text.slice(0, 40));
  expect(firstWave).toEqual(["BEGIN", expect.stringMatching(/^SELECT \* FROM assistants/), "SELECT 1 FROM threads WHERE thread_id = ", expect.stringMatching(/^\(SELECT run_id/)]);

  // A setting the assistant refuses: refused after that round trip, rolled back, nothing of the run written.
  const before = await fixture.server.services.pool.query<{ runs: number }>("SELECT count(*)::int AS runs FROM runs WHERE thread_id = $1", [threadId]);
  const { rows: [owner] } = await fixture.server.services.pool.query<{ user_id: string }>("SELECT user_id FROM threads WHERE thread_id = $1", [threadId]);
  const refused = fixture.server.services.runs.submit(owner?.user_id ?? "", { thread_id: threadId, input: { messages: [{ role: "user", content: "too hot" }] }, config: { settings: { temperature: 99 } } });
  await expect(refused).rejects.toMatchObject({ code: "invalid_request" });
  const after = await fixture.server.services.pool.query<{ runs: number }>("SELECT count(*)::int AS runs FROM runs WHERE thread_id = $1", [threadId]);
  expect(after.rows[0]?.runs).toBe(before.rows[0]?.runs);
});

it("a submission to another user's thread is refused and writes nothing (its pipelined reads are discarded)", async () => {
  await using client = await TestWsClient.connect(fixture.server.wsUrl);
  const { thread_id: threadId } = await client.call<{ thread_id: string }>("thread.open", {});
  const before = await fixture.server.services.pool.query<{ runs: number }>("SELECT count(*)::int AS runs FROM runs");
  const submit = fixture.server.services.runs.submit("someone-else", { thread_id: threadId, input: { messages: [{ role: "user", content: "not mine" }] } });
  await expect(submit).rejects.toMatchObject({ code: "not_found" });
  const after = await fixture.server.services.pool.query<{ runs: number }>("SELECT count(*)::int AS runs FROM runs");
  expect(after.rows[0]?.runs).toBe(before.rows[0]?.runs);
});

it("a finish that finds its run taken over by another instance stores neither the outcome nor the final event", async () => {
  const { services } = fixture.server;
  await using client = await TestWsClient.connect(fixture.server.wsUrl);
  const { thread_id: threadId } = await client.call<{ thread_id: string }>("thread.open", {});
  // eslint-disable-next-line @typescript-eslint/unbound-method -- called below with the store as `this`
  const original = RunStore.prototype.finishIn;
  let finished!: (value: unknown) => void;
  const finishCalled = new Promise((resolve) => (finished = resolve));
  const spy = vi.spyOn(RunStore.prototype, "finishIn").mockImplementationOnce(async function (this: RunStore, db, run) {
    // Another instance claimed the run (its lease expired here) just before this one finishes it.
    await services.pool.query("UPDATE runs SET lease_owner = 'another-instance' WHERE run_id = $1", [run.run.run_id]);
    const result = await original.call(this, db, run);
    finished(result);
    return result;
  });
  try {
    const { run_id: runId } = await client.call<{ run_id: string }>("run.start", { thread_id: threadId, input: { messages: [{ role: "user", content: "taken over" }] } });
    expect(await finishCalled).toBeUndefined();
    await services.active.whenDone(runId);
    const { rows: events } = await services.pool.query<{ event: string }>("SELECT event FROM thread_events WHERE run_id = $1 ORDER BY seq", [runId]);
    expect(events.map((row) => row.event)).not.toContain("run.completed");
    const { rows: [row] } = await services.pool.query<{ status: string; lease_owner: string }>("SELECT status, lease_owner FROM runs WHERE run_id = $1", [runId]);
    expect(row).toEqual({ status: "running", lease_owner: "another-instance" });
    // Hand the run back to nobody so the server's shutdown does not wait on it.
    await services.pool.query("UPDATE runs SET status = 'cancelled', lease_owner = NULL, finished_at = now() WHERE run_id = $1", [runId]);
  } finally {
    spy.mockRestore();
  }
});
