import { afterAll, beforeAll, describe, expect, it } from "vitest";
import pg from "pg";
import type { RunningServer } from "../../src/app.js";
import { catchUpAfterReconnect } from "../../src/events/cluster-catch-up.js";
import { LISTENER_APPLICATION_NAME } from "../../src/events/cluster-notifier.js";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database.js";
import { startTestServer } from "../helpers/test-server.js";
import { type Frame, TestWsClient } from "../helpers/ws-client.js";

let database: TestDatabase;
let instanceA: RunningServer;
let instanceB: RunningServer;
let onA: TestWsClient;
let onB: TestWsClient;

beforeAll(async () => {
  database = await createTestDatabase();
  // A reply streams in ~4 chunks: 150 ms apart leaves a cancel sent from the other instance after the first delta
  // time to arrive before the reply would end, even on a loaded machine (at 40 ms it sometimes completed first).
  const env = { FAKE_CHUNK_DELAY_MS: 150, RUN_POLL_MS: 200 };
  instanceA = await startTestServer({ databaseUrl: database.url, env });
  instanceB = await startTestServer({ databaseUrl: database.url, env });
  onA = await TestWsClient.connect(instanceA.wsUrl);
  onB = await TestWsClient.connect(instanceB.wsUrl);
});
afterAll(async () => {
  await onA.close();
  await onB.close();
  await instanceA.close();
  await instanceB.close();
  await database.drop();
});

const key = (frame: Frame) => `${frame.seq}:${frame.event}:${JSON.stringify(frame.data)}`;
const say = (content: string) => ({ messages: [{ role: "user", content }] });

describe("two instances on one Postgres", () => {
  it("a client on instance A sees, live and in order, a run executed on instance B", async () => {
    const { thread_id } = await onA.call<{ thread_id: string }>("thread.open", { window_id: "shared" });
    await onA.call("subscription.subscribe", { thread_id });
    const { run_id } = await onB.call<{ run_id: string }>("run.start", { thread_id, input: say('/tool calculator {"expression":"2+3"}') });
    await onB.waitForEvent("run.completed", { run_id });
    const seenOnA = await onA.waitForEvent("run.completed", { run_id });
    expect(seenOnA).toBeDefined();
    expect(onA.events(thread_id).map(key)).toEqual(onB.events(thread_id).map(key));
    const run = await instanceA.services.runs.get("local", thread_id, run_id);
    expect(run.status).toBe("success");
  });

  it("racing run.start on both instances: both run, one at a time, in submission order", async () => {
    const { thread_id } = await onA.call<{ thread_id: string }>("thread.open", { window_id: "race" });
    await onB.call("subscription.subscribe", { thread_id });
    const [first, second] = await Promise.all([
      onA.call<{ run_id: string }>("run.start", { thread_id, input: say("from A") }),
      onB.call<{ run_id: string }>("run.start", { thread_id, input: say("from B") }),
    ]);
    await onA.waitForEvent("run.completed", { run_id: first.run_id }, 30_000);
    await onA.waitForEvent("run.completed", { run_id: second.run_id }, 30_000);
    const { rows } = await instanceA.services.pool.query<{ started_at: Date; finished_at: Date }>(
      "SELECT started_at, finished_at FROM runs WHERE thread_id = $1 ORDER BY started_at",
      [thread_id],
    );
    expect(rows).toHaveLength(2);
    expect(rows[0]!.finished_at.getTime()).toBeLessThanOrEqual(rows[1]!.started_at.getTime());
    const history = await onB.call<{ messages: { content: string }[] }>("messages.list", { thread_id });
    expect(history.messages).toHaveLength(4);
  });

  it("racing run.start with multitask_strategy reject: exactly one wins", async () => {
    const { thread_id } = await onA.call<{ thread_id: string }>("thread.open", { window_id: "race-reject" });
    const outcomes = await Promise.allSettled([
      onA.call<{ run_id: string }>("run.start", { thread_id, input: say("A"), multitask_strategy: "reject" }),
      onB.call<{ run_id: string }>("run.start", { thread_id, input: say("B"), multitask_strategy: "reject" }),
    ]);
    expect(outcomes.filter((outcome) => outcome.status === "fulfilled")).toHaveLength(1);
    const rejected = outcomes.find((outcome) => outcome.status === "rejected");
    expect((rejected?.reason as { code?: string }).code).toBe("thread_busy");
  });

  it("cancelling from instance B stops a run executing on instance A", async () => {
    const { thread_id } = await onA.call<{ thread_id: string }>("thread.open", { window_id: "remote-cancel" });
    await onB.call("subscription.subscribe", { thread_id });
    const { run_id } = await onA.call<{ run_id: string }>("run.start", { thread_id, input: say("a fairly long reply to be cancelled from elsewhere ".repeat(3)) });
    await onB.waitForEvent("message.delta", { run_id });
    const executingOnA = instanceA.services.active.has(run_id);
    await onB.call("run.cancel", { thread_id, run_id });
    const final = await onB.waitForEvent("run.failed", { run_id }, 30_000);
    expect(final.data).toMatchObject({ status: "cancelled" });
    expect(executingOnA || instanceB.services.active.size === 0).toBe(true);
  });

  it("an instance whose LISTEN connection is cut reconnects (its /ok answers 200 again) and its clients miss nothing", async () => {
    const { thread_id } = await onA.call<{ thread_id: string }>("thread.open", { window_id: "listener-cut" });
    await onB.call("subscription.subscribe", { thread_id });
    const admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
    try {
      const { run_id } = await onA.call<{ run_id: string }>("run.start", { thread_id, input: say("streamed while B's listener is down") });
      // What a Postgres failover or an idle-connection killer does to both instances' listeners, mid-run.
      const cut = await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND application_name = $1`, [LISTENER_APPLICATION_NAME]);
      expect(cut.rowCount).toBeGreaterThanOrEqual(2);
      await onA.waitForEvent("run.completed", { run_id });
      // B's client gets every event, in order, the ones announced while its instance was deaf included.
      await onB.waitForEvent("run.completed", { run_id }, 15_000);
      expect(onB.events(thread_id).map(key)).toEqual(onA.events(thread_id).map(key));
      await expect.poll(async () => (await fetch(`${instanceB.url}/ok`)).status, { timeout: 15_000 }).toBe(200);
      // And it hears the other instance live again.
      const next = await onA.call<{ run_id: string }>("run.start", { thread_id, input: say("after the reconnect") });
      await onB.waitForEvent("run.completed", { run_id: next.run_id }, 15_000);
    } finally {
      await admin.end();
    }
  });

  it("after a reconnect, a thread deleted while the listener was down is told to its subscribers there", async () => {
    const { thread_id } = await onA.call<{ thread_id: string }>("thread.open", { window_id: "deleted-while-deaf" });
    await onB.call("subscription.subscribe", { thread_id });
    // Deleted with no announcement reaching B: what a delete during B's outage looks like to B.
    await instanceA.services.pool.query("DELETE FROM threads WHERE thread_id = $1", [thread_id]);
    await catchUpAfterReconnect(instanceB.services);
    await onB.waitForEvent("thread.deleted", { thread_id }, 5_000);
  });

  it("deleting the thread on instance B stops its run executing on instance A at once, not at A's next lease renewal", async () => {
    // Slow replies (four pieces, 2 s apart): without the notice the run would stream on for seconds.
    const env = { FAKE_CHUNK_DELAY_MS: 2_000, RUN_POLL_MS: 200 };
    await using slowA = await startTestServer({ databaseUrl: database.url, env });
    await using slowB = await startTestServer({ databaseUrl: database.url, env });
    await using clientA = await TestWsClient.connect(slowA.wsUrl);
    await using clientB = await TestWsClient.connect(slowB.wsUrl);
    const { thread_id } = await clientA.call<{ thread_id: string }>("thread.open", {});
    const { run_id } = await clientA.call<{ run_id: string }>("run.start", { thread_id, input: say("a reply for a thread deleted elsewhere") });
    await clientA.waitForEvent("message.delta", { run_id }, 10_000);
    expect(slowA.services.active.has(run_id)).toBe(true);
    await clientB.call("thread.delete", { thread_id });
    // The lease is renewed every RUN_LEASE_MS / 3 (10 s here) and the next piece is 2 s away: stopping within 1.5 s
    // is the notice's doing.
    await expect.poll(() => slowA.services.active.has(run_id), { timeout: 1_500, interval: 50 }).toBe(false);
  });
});
