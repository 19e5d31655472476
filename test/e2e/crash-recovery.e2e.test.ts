import { afterAll, beforeAll, expect, it } from "vitest";
import { type ChildServer, startChildServer } from "../helpers/child-server.js";
import { seededRandom } from "../helpers/seeded-random.js";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database.js";
import { type Frame, TestWsClient } from "../helpers/ws-client.js";

const ITERATIONS = Number(process.env.CRASH_ITERATIONS ?? 20);
let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.drop();
});


/**
 * `kill -9` the server `afterMs` into a run, start a new one, and expect it to find the run (pending, or running
 * with a dead lease) and complete it; returns the new server.
 */
async function killThenFinish(scope: { server: ChildServer; client: TestWsClient; env: Record<string, string>; threadId: string; runId: string; afterMs: number; turn: number }): Promise<ChildServer> {
  const { client, env, threadId, runId, turn } = scope;
  await new Promise((resolve) => setTimeout(resolve, scope.afterMs));
  await scope.server.kill();
  await client.close();
  const server = await startChildServer(env);
  try {
    await using watcher = await TestWsClient.connect(server.wsUrl);
    await watcher.call("subscription.subscribe", { thread_id: threadId, since: 0 });
    const final = await watcher.waitFor((frame) => frame.type === "event" && frame.run_id === runId && ["run.completed", "run.failed"].includes(frame.event ?? ""), 45_000);
    expect(final.event, `turn ${turn}: ${JSON.stringify(final.data)}`).toBe("run.completed");
    return server;
  } catch (error) {
    await server.kill();
    throw error;
  }
}

it(`kill -9 mid-run ${ITERATIONS} times: no input lost, no message duplicated, a consistent story on reconnect`, async () => {
  const env = { DATABASE_URL: database.url, FAKE_CHUNK_DELAY_MS: "40", RUN_LEASE_MS: "1000", RUN_POLL_MS: "100", RUN_RECOVERY: "resume" };
  const next = seededRandom(2026);
  let server: ChildServer = await startChildServer(env);
  let threadId = "";
  const runIds: string[] = [];
  try {
    for (let turn = 0; turn < ITERATIONS; turn += 1) {
      const client = await TestWsClient.connect(server.wsUrl);
      threadId ||= (await client.call<{ thread_id: string }>("thread.open", { window_id: "crashy" })).thread_id;
      const { run_id } = await client.call<{ run_id: string }>("run.start", {
        thread_id: threadId,
        input: { messages: [{ role: "user", content: `turn ${turn}: please answer at some length` }] },
      });
      runIds.push(run_id);
      server = await killThenFinish({ server, client, env, threadId, runId: run_id, afterMs: Math.floor(next() * 500), turn });
    }

    await using reader = await TestWsClient.connect(server.wsUrl);
    const history = await reader.call<{ messages: { id: string; role: string; content: string }[] }>("messages.list", { thread_id: threadId, limit: 200 });
    const expected = Array.from({ length: ITERATIONS }, (_, turn) => [`turn ${turn}: please answer at some length`, `You said: turn ${turn}: please answer at some length`]).flat();
    expect(history.messages.map((message) => message.content)).toEqual(expected);
    expect(new Set(history.messages.map((message) => message.id)).size).toBe(history.messages.length);

    // The checkpointed state holds the same conversation: every input and every reply, once. (With PostgresSaver's
    // integer channel versions about one kill in twenty lost a reply here; with ThreadlineSaver it did not recur in 60.)
    const state = (await (await fetch(`${server.url}/threads/${threadId}/state`)).json()) as { values: { messages: { type: string; content: string }[] } };
    expect(state.values.messages.map((message) => message.content)).toEqual(expected);

    // Replaying the whole event log tells the same story: every seq once, every run ends exactly once,
    // and the completed messages, minus those later removed, are exactly the transcript.
    await reader.call("subscription.subscribe", { thread_id: threadId, since: 0 });
    const events: Frame[] = reader.events(threadId);
    expect(events.map((frame) => frame.seq)).toEqual(Array.from({ length: events.length }, (_, index) => index + 1));
    for (const runId of runIds) {
      const finals = events.filter((frame) => frame.run_id === runId && ["run.completed", "run.failed"].includes(frame.event ?? ""));
      expect(finals.map((frame) => frame.event)).toEqual(["run.completed"]);
    }
    const removed = new Set(events.filter((frame) => frame.event === "messages.removed").flatMap((frame) => (frame.data as { message_ids: string[] }).message_ids));
    const completed = events
      .filter((frame) => frame.event === "message.completed")
      .map((frame) => (frame.data as { message: { id: string; content: string } }).message)
      .filter((message) => !removed.has(message.id));
    expect(completed.map((message) => message.content)).toEqual(expected);
  } finally {
    await server.kill();
  }
}, 600_000);

it("kill -9 just after a tool started, repeatedly: the transcript and the event log keep the state's order (the tool's result before the answer)", async () => {
  const env = { DATABASE_URL: database.url, FAKE_CHUNK_DELAY_MS: "40", RUN_LEASE_MS: "1000", RUN_POLL_MS: "100", RUN_RECOVERY: "resume" };
  const next = seededRandom(7);
  const turns = Math.max(4, Math.round(ITERATIONS / 2));
  let server: ChildServer = await startChildServer(env);
  let threadId = "";
  try {
    for (let turn = 0; turn < turns; turn += 1) {
      const client = await TestWsClient.connect(server.wsUrl);
      threadId ||= (await client.call<{ thread_id: string }>("thread.open", { window_id: "crashy-tools" })).thread_id;
      const { run_id } = await client.call<{ run_id: string }>("run.start", { thread_id: threadId, input: { messages: [{ role: "user", content: `/tool calculator {"expression":"${turn}+1"}` }] } });
      // The window that matters: the tool's result is durable, its transcript row and events are not yet.
      await client.waitForEvent("tool.started", { run_id });
      server = await killThenFinish({ server, client, env, threadId, runId: run_id, afterMs: Math.floor(next() * 12), turn });
    }
    await using reader = await TestWsClient.connect(server.wsUrl);
    const history = await reader.call<{ messages: { id: string; role: string; content: string }[] }>("messages.list", { thread_id: threadId, limit: 200 });
    const state = (await (await fetch(`${server.url}/threads/${threadId}/state`)).json()) as { values: { messages: { id: string; content: string }[] } };
    expect(history.messages.map((message) => message.id)).toEqual(state.values.messages.map((message) => message.id));
    expect(history.messages.filter((message) => message.role === "tool").map((message) => message.content)).toEqual(Array.from({ length: turns }, (_, turn) => String(turn + 1)));

    await reader.call("subscription.subscribe", { thread_id: threadId, since: 0 });
    const events: Frame[] = reader.events(threadId);
    const removed = new Set(events.filter((frame) => frame.event === "messages.removed").flatMap((frame) => (frame.data as { message_ids: string[] }).message_ids));
    const completed = events
      .filter((frame) => frame.event === "message.completed")
      .map((frame) => (frame.data as { message: { id: string } }).message.id)
      .filter((id) => !removed.has(id));
    expect(completed).toEqual(history.messages.map((message) => message.id));
    // Every tool result in the transcript was announced as a completed call.
    const toolResults = history.messages.filter((message) => message.role === "tool").length;
    expect(new Set(events.filter((frame) => frame.event === "tool.completed").map((frame) => (frame.data as { tool_call_id: string }).tool_call_id)).size).toBe(toolResults);
  } finally {
    await server.kill();
  }
}, 600_000);

it('kill -9 mid-run with durability "exit": the next instance redoes the run from its start, nothing lost or doubled', async () => {
  const env = { DATABASE_URL: database.url, FAKE_CHUNK_DELAY_MS: "40", RUN_LEASE_MS: "1000", RUN_POLL_MS: "100", RUN_RECOVERY: "resume" };
  const next = seededRandom(7);
  const turns = Math.max(4, Math.floor(ITERATIONS / 2));
  // Every other turn calls a tool: a redone run calls it again, and the output of the lost attempt is replaced.
  const say = (turn: number) => (turn % 2 === 1 ? `/tool calculator {"expression":"${turn} * 6"}` : `turn ${turn}: please answer at some length`);
  const said = (turn: number) => (turn % 2 === 1 ? [say(turn), "", String(turn * 6), `Tool calculator returned: ${turn * 6}`] : [say(turn), `You said: ${say(turn)}`]);
  let server: ChildServer = await startChildServer(env);
  let threadId = "";
  try {
    for (let turn = 0; turn < turns; turn += 1) {
      const client = await TestWsClient.connect(server.wsUrl);
      threadId ||= (await client.call<{ thread_id: string }>("thread.open", { window_id: "crashy-exit" })).thread_id;
      const { run_id } = await client.call<{ run_id: string }>("run.start", { thread_id: threadId, input: { messages: [{ role: "user", content: say(turn) }] }, durability: "exit" });
      server = await killThenFinish({ server, client, env, threadId, runId: run_id, afterMs: Math.floor(next() * 400), turn });
    }
    const expected = Array.from({ length: turns }, (_, turn) => said(turn)).flat();
    await using reader = await TestWsClient.connect(server.wsUrl);
    const history = await reader.call<{ messages: { id: string; content: string }[] }>("messages.list", { thread_id: threadId, limit: 200 });
    expect(history.messages.map((message) => message.content)).toEqual(expected);
    expect(new Set(history.messages.map((message) => message.id)).size).toBe(history.messages.length);
    const state = (await (await fetch(`${server.url}/threads/${threadId}/state`)).json()) as { values: { messages: { content: string }[] } };
    expect(state.values.messages.map((message) => message.content)).toEqual(expected);
    // One checkpoint per turn at most (a turn killed before its end left none; its redo wrote one).
    const checkpoints = (await (await fetch(`${server.url}/threads/${threadId}/history`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ limit: 100 }) })).json()) as unknown[];
    expect(checkpoints.length).toBeLessThanOrEqual(turns);
  } finally {
    await server.kill();
  }
}, 600_000);

it("a cancel or rollback sent while the run's instance is dead is done when the run is taken over, not resumed to the end", async () => {
  // A resumed reply (four pieces, 250 ms apart) ends before the new instance's first lease renewal (every
  // RUN_LEASE_MS / 3 = 3 s), which was the only place the request was read: the run was resumed to the end.
  const env = { DATABASE_URL: database.url, FAKE_CHUNK_DELAY_MS: "250", RUN_LEASE_MS: "9000", RUN_POLL_MS: "100", RUN_RECOVERY: "resume" };
  const first = await startChildServer(env);
  // The other instance is up before the first dies, so the requests reach it while the dead one's lease still holds
  // the runs: they are on the rows when it takes them over.
  const second = await startChildServer(env);
  try {
    const client = await TestWsClient.connect(first.wsUrl);
    const say = (content: string) => ({ messages: [{ role: "user", content }] });
    const toCancel = (await client.call<{ thread_id: string }>("thread.open", { window_id: "cancel-dead" })).thread_id;
    const toRollBack = (await client.call<{ thread_id: string }>("thread.open", { window_id: "rollback-dead" })).thread_id;
    const cancelled = await client.call<{ run_id: string }>("run.start", { thread_id: toCancel, input: say("cancel me while my instance is dead") });
    const rolledBack = await client.call<{ run_id: string }>("run.start", { thread_id: toRollBack, input: say("roll me back while my instance is dead") });
    await client.waitForEvent("message.delta", { run_id: cancelled.run_id }, 10_000);
    await client.waitForEvent("message.delta", { run_id: rolledBack.run_id }, 10_000);
    await first.kill();
    await client.close();

    await using survivor = await TestWsClient.connect(second.wsUrl);
    await survivor.call("subscription.subscribe", { thread_id: toCancel, since: 0 });
    await survivor.call("subscription.subscribe", { thread_id: toRollBack, since: 0 });
    await survivor.call("run.cancel", { thread_id: toCancel, run_id: cancelled.run_id });
    const replacement = await survivor.call<{ run_id: string }>("run.start", { thread_id: toRollBack, input: say("instead"), multitask_strategy: "rollback" });

    const cancelEnd = await survivor.waitFor((frame) => frame.type === "event" && frame.run_id === cancelled.run_id && ["run.completed", "run.failed"].includes(frame.event ?? ""), 30_000);
    expect([cancelEnd.event, cancelEnd.data?.status]).toEqual(["run.failed", "cancelled"]);
    // Stopped, not started again: watchers saw the run start once (a second, resumed start came just before its end).
    expect(cancelEnd.data?.message).toBe("cancelled (requested through another instance)");
    const starts = survivor.events(toCancel).filter((frame) => frame.event === "run.started" && frame.run_id === cancelled.run_id);
    expect(starts.map((frame) => frame.data?.attempt)).toEqual([1]);
    const rollbackEnd = await survivor.waitFor((frame) => frame.type === "event" && frame.run_id === rolledBack.run_id && ["run.completed", "run.failed"].includes(frame.event ?? ""), 30_000);
    expect([rollbackEnd.event, rollbackEnd.data?.code]).toEqual(["run.failed", "rolled_back"]);
    await survivor.waitForEvent("run.completed", { run_id: replacement.run_id }, 30_000);
    const kept = await survivor.call<{ messages: { content: string }[] }>("messages.list", { thread_id: toRollBack, limit: 20 });
    expect(kept.messages.map((message) => message.content)).toEqual(["instead", "You said: instead"]);
  } finally {
    await first.kill().catch(() => undefined);
    await second.kill();
  }
});
