import { afterEach, expect, it, vi } from "vitest";
import { FakeChatModel } from "../../src/models/fake-chat-model.js";
import { calculator } from "../../tools/calculator.js";
import type { RunDispatcher } from "../../src/runs/run-dispatcher.js";
import { waitFor } from "../jobs/wait-for.js";
import { useTestServer } from "../helpers/test-server.js";
import { chat, CommandError, type Frame, TestWsClient } from "../helpers/ws-client.js";

const fixture = useTestServer();
afterEach(() => vi.restoreAllMocks());

/** Rows stored for a thread, table by table: what a run may only write once its submission committed. */
async function storedFor(threadId: string): Promise<Record<string, number>> {
  const { rows } = await fixture.server.services.pool.query<Record<string, number>>(
    `SELECT (SELECT count(*)::int FROM runs WHERE thread_id::text = $1) AS runs,
            (SELECT count(*)::int FROM checkpoints WHERE thread_id::text = $1) AS checkpoints,
            (SELECT count(*)::int FROM checkpoint_writes WHERE thread_id::text = $1) AS checkpoint_writes,
            (SELECT count(*)::int FROM thread_events WHERE thread_id::text = $1) AS events,
            (SELECT count(*)::int FROM messages WHERE thread_id::text = $1) AS messages`,
    [threadId],
  );
  const [counts] = rows;
  if (!counts) throw new Error("no counts");
  return counts;
}

/** Hold the submission's transaction just before it records the run's start (the run is already executing). */
function holdSubmissionBeforeStart(): { release: () => void; reached: Promise<void> } {
  const dispatcher = fixture.server.services.dispatcher;
  const original = dispatcher.recordClaimIn.bind(dispatcher);
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let reached!: () => void;
  const reachedPromise = new Promise<void>((resolve) => (reached = resolve));
  vi.spyOn(dispatcher, "recordClaimIn").mockImplementationOnce(async (...args: Parameters<RunDispatcher["recordClaimIn"]>) => {
    reached();
    await released;
    return original(...args);
  });
  return { release, reached: reachedPromise };
}

function modelCalls() {
  return vi.spyOn(FakeChatModel.prototype, "_streamResponseChunks");
}

const say = (content: string) => ({ messages: [{ role: "user", content }] });

/**
 * "lost?" is refused (`internal`) by a submission that rolls back: nothing stored or streamed (the model node may
 * have begun its call before the commit, and is aborted with the run), the thread idle. The message was refused,
 * not swallowed: sent again, it is answered as if the first attempt never was.
 */
async function expectRefusedThenAnswered(client: TestWsClient, threadId: string, before: Record<string, number>): Promise<void> {
  const seen = client.events(threadId).length;
  const refused = await client.call("run.start", { thread_id: threadId, input: say("lost?") }).catch((error: unknown) => error);
  expect(refused).toBeInstanceOf(CommandError);
  expect((refused as CommandError).frame.code).toBe("internal");
  await waitFor(() => fixture.server.services.active.size === 0, 5000);
  expect(client.events(threadId)).toHaveLength(seen);
  expect(await storedFor(threadId)).toEqual(before);
  const thread = await client.call<{ status: string }>("thread.get", { thread_id: threadId });
  expect(thread.status).toBe("idle");
  const { final } = await chat(client, threadId, "lost?");
  expect(final.event).toBe("run.completed");
}

it.each([
  ["a thread's first run", 0],
  ["a run after one that succeeded", 1],
])("%s starts before its submission commits: the model is called, but no tool runs and nothing is written or streamed until then", async (_name, earlierRuns) => {
  await using client = await TestWsClient.connect(fixture.server.wsUrl);
  const { thread_id: threadId } = await client.call<{ thread_id: string }>("thread.open", {});
  for (let index = 0; index < earlierRuns; index += 1) await chat(client, threadId, `earlier ${index}`);
  const before = await storedFor(threadId);
  const hold = holdSubmissionBeforeStart();
  const model = modelCalls();
  const tool = vi.spyOn(calculator, "execute");

  const answer = client.call<{ run_id: string }>("run.start", { thread_id: threadId, input: say('/tool calculator {"expression": "6*7"}') });
  await hold.reached;
  // The executor has the run before the transaction commits…
  await waitFor(() => fixture.server.services.active.size === 1, 5000);
  await new Promise((resolve) => setTimeout(resolve, 150));
  // …and its model node, which only calls the model (RUNS_BEFORE_COMMIT), has asked for the tool call; the tools
  // node waits: nothing has acted, and nothing is visible — no checkpoint, event or transcript row.
  expect(model).toHaveBeenCalledTimes(1);
  expect(tool).not.toHaveBeenCalled();
  expect(await storedFor(threadId)).toEqual(before);
  expect(client.events(threadId).filter((frame) => frame.event === "run.started")).toHaveLength(earlierRuns);

  hold.release();
  const { run_id: runId } = await answer;
  const final = await client.waitFor((frame) => frame.run_id === runId && (frame.event === "run.completed" || frame.event === "run.failed"));
  expect(final.event).toBe("run.completed");
  const runEvents = client.events(threadId).filter((frame) => frame.run_id === runId);
  expect(runEvents[0]?.event).toBe("run.started");
  expect(tool).toHaveBeenCalledTimes(1);
  expect(model).toHaveBeenCalledTimes(2);
  const state = await client.call<{ values: { messages: { content: string }[] } }>("state.get", { thread_id: threadId });
  expect(state.values.messages.map((message) => message.content).slice(-1)).toEqual(["Tool calculator returned: 42"]);
});

it("a submission that rolls back after its run started leaves nothing behind, and the thread takes the next message", async () => {
  await using client = await TestWsClient.connect(fixture.server.wsUrl);
  const { thread_id: threadId } = await client.call<{ thread_id: string }>("thread.open", {});
  await chat(client, threadId, "first");
  const before = await storedFor(threadId);
  const dispatcher = fixture.server.services.dispatcher;
  vi.spyOn(dispatcher, "recordClaimIn").mockImplementationOnce(async () => {
    // The run is executing by now; give its graph time to get as far as it can before the commit.
    await waitFor(() => fixture.server.services.active.size === 1, 5000);
    await new Promise((resolve) => setTimeout(resolve, 100));
    throw new Error("the disk is full");
  });
  await expectRefusedThenAnswered(client, threadId, before);
  const state = await client.call<{ values: { messages: { content: string }[] } }>("state.get", { thread_id: threadId });
  expect(state.values.messages.map((message) => message.content)).toEqual(["first", "You said: first", "lost?", "You said: lost?"]);
  const started = client.events(threadId).filter((frame: Frame) => frame.event === "run.started");
  expect(started).toHaveLength(2);
});

it("a start-events statement that fails in the database, with the COMMIT already sent behind it, rolls the input back too", async () => {
  await using client = await TestWsClient.connect(fixture.server.wsUrl);
  const { thread_id: threadId } = await client.call<{ thread_id: string }>("thread.open", {});
  await chat(client, threadId, "first");
  const before = await storedFor(threadId);
  const eventLog = fixture.server.services.eventLog;
  const append = eventLog.append.bind(eventLog);
  // The input is in the transcript by now (it went with the run's insert); this statement fails in Postgres, and the
  // COMMIT pipelined right behind it finds the transaction aborted.
  vi.spyOn(eventLog, "append").mockImplementationOnce(async (batch, db) => {
    if (!db) return append(batch);
    await db.query("SELECT 1 / (count(*) - count(*)) FROM runs");
    return [];
  });
  await expectRefusedThenAnswered(client, threadId, before);
  const page = await client.call<{ messages: { content: string }[] }>("messages.list", { thread_id: threadId, limit: 10 });
  expect(page.messages.map((message) => message.content)).toEqual(["first", "You said: first", "lost?", "You said: lost?"]);
});

it("a run that follows a failed one plans after its commit (planning may write) and completes", async () => {
  await using client = await TestWsClient.connect(fixture.server.wsUrl);
  const { thread_id: threadId } = await client.call<{ thread_id: string }>("thread.open", {});
  await chat(client, threadId, "first");
  // A failed run: the next run's plan must read the state (and may write to it) — after its own commit.
  const failed = await chat(client, threadId, "/fail on purpose");
  expect(failed.final.event).toBe("run.failed");
  const hold = holdSubmissionBeforeStart();
  const queries = vi.spyOn(fixture.server.services.pool, "query");
  const answer = client.call<{ run_id: string }>("run.start", { thread_id: threadId, input: say("after the failure") });
  await hold.reached;
  await waitFor(() => fixture.server.services.active.size === 1, 5000);
  await new Promise((resolve) => setTimeout(resolve, 150));
  const checkpointReads = () => queries.mock.calls.filter(([text]) => typeof text === "string" && text.startsWith("SELECT cp.thread_id")).length;
  expect(checkpointReads()).toBe(0);

  hold.release();
  const { run_id: runId } = await answer;
  const final = await client.waitFor((frame) => frame.run_id === runId && (frame.event === "run.completed" || frame.event === "run.failed"));
  expect(final.event).toBe("run.completed");
  expect(checkpointReads()).toBeGreaterThan(0);
  const state = await client.call<{ values: { messages: { content: string }[] } }>("state.get", { thread_id: threadId });
  expect(state.values.messages.at(-1)?.content).toBe("You said: after the failure");
});
