import { expect, it } from "vitest";
import type { RunningServer } from "../../src/app.js";
import { CheckpointRetention } from "../../src/checkpoint/checkpoint-retention.js";
import { TOOLS_WITH_SLOW } from "../helpers/slow-tool.js";
import { createTestDatabase } from "../helpers/test-database.js";
import { startTestServer, useTestServer } from "../helpers/test-server.js";
import { CommandError, TestWsClient } from "../helpers/ws-client.js";

const fixture = useTestServer();

interface Values {
  messages: { type: string; content: string }[];
}

/** JSON requests to a server (read when each request is made). */
function httpOn(server: () => RunningServer) {
  return async <T>(method: string, route: string, body?: unknown): Promise<{ status: number; body: T }> => {
    const response = await fetch(`${server().url}${route}`, {
      method,
      headers: body === undefined ? {} : { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as T };
  };
}

const http = httpOn(() => fixture.server);

async function newThread(): Promise<string> {
  const { body } = await http<{ thread_id: string }>("POST", "/threads", {});
  return body.thread_id;
}

async function checkpointIds(threadId: string, server: RunningServer = fixture.server): Promise<string[]> {
  const { rows } = await server.services.pool.query<{ checkpoint_id: string }>("SELECT checkpoint_id FROM checkpoints WHERE thread_id = $1 ORDER BY checkpoint_id", [threadId]);
  return rows.map((row) => row.checkpoint_id);
}

async function turn(threadId: string, content: string, fields: Record<string, unknown> = {}): Promise<Values> {
  const { status, body } = await http<Values>("POST", `/threads/${threadId}/runs/wait`, { input: { messages: [{ role: "user", content }] }, ...fields });
  expect(status).toBe(200);
  return body;
}

const contents = (values: Values) => values.messages.map((message) => message.content);

it('durability "exit" writes one checkpoint per run (also for a tool turn); the default writes every step', async () => {
  const threadId = await newThread();
  await turn(threadId, "hello", { durability: "exit" });
  expect(await checkpointIds(threadId)).toHaveLength(1);
  await turn(threadId, '/tool calculator {"expression":"6 * 7"}', { durability: "exit" });
  expect(await checkpointIds(threadId)).toHaveLength(2);
  const before = (await checkpointIds(threadId)).length;
  const values = await turn(threadId, "and now?");
  expect((await checkpointIds(threadId)).length - before).toBeGreaterThan(1);
  expect(contents(values)).toEqual(["hello", "You said: hello", '/tool calculator {"expression":"6 * 7"}', "", "42", "Tool calculator returned: 42", "and now?", "You said: and now?"]);
  // What was said is the same in the state, its history and the transcript, whichever way it was checkpointed.
  const { body: state } = await http<{ values: Values }>("GET", `/threads/${threadId}/state`);
  expect(contents(state.values)).toEqual(contents(values));
  const { body: page } = await http<{ messages: { content: string }[] }>("GET", `/threads/${threadId}/messages?limit=100`);
  expect(page.messages.map((message) => message.content)).toEqual(contents(values));
});

it('checkpoint_during: false means "exit"; "sync" checkpoints every step like the default', async () => {
  const exitThread = await newThread();
  await turn(exitThread, "one", { checkpoint_during: false });
  expect(await checkpointIds(exitThread)).toHaveLength(1);
  const syncThread = await newThread();
  await turn(syncThread, "one", { durability: "sync" });
  const asyncThread = await newThread();
  await turn(asyncThread, "one");
  expect((await checkpointIds(syncThread)).length).toBe((await checkpointIds(asyncThread)).length);
});

it("runs checkpointed at exit keep their checkpoints through a retention sweep and can be replayed from", async () => {
  const threadId = await newThread();
  await turn(threadId, "first", { durability: "exit" });
  const [afterFirst] = await checkpointIds(threadId);
  await turn(threadId, "second", { durability: "exit" });
  // Every checkpoint of such runs is where a run ended: the sweep of intermediate checkpoints leaves them all.
  await new CheckpointRetention(fixture.server.services.pool).sweep({ olderThanDays: 0, now: new Date(Date.now() + 60_000) });
  expect(await checkpointIds(threadId)).toHaveLength(2);
  const branched = await turn(threadId, "instead", { checkpoint_id: afterFirst, durability: "exit" });
  expect(contents(branched)).toEqual(["first", "You said: first", "instead", "You said: instead"]);
  const { body: history } = await http<{ values: Values }[]>("POST", `/threads/${threadId}/history`, { limit: 10 });
  expect(history.map((snapshot) => contents(snapshot.values).length)).toEqual([4, 4, 2]);
});

it('an approval asked for in a run checkpointed at exit is kept, and answering it runs the tool once', async () => {
  await using client = await TestWsClient.connect(fixture.server.wsUrl);
  const { thread_id: threadId } = await client.call<{ thread_id: string }>("thread.open", {});
  const email = '/tool send_email {"to":"ada@example.com","subject":"Hello","body":"Meeting at 10?"}';
  const { run_id: runId } = await client.call<{ run_id: string }>("run.start", { thread_id: threadId, input: { messages: [{ role: "user", content: email }] }, durability: "exit" });
  const interrupted = await client.waitForEvent("run.interrupted", { run_id: runId });
  const [interrupt] = (interrupted.data as { interrupts: { id: string }[] }).interrupts;
  expect(await checkpointIds(threadId)).toHaveLength(1);
  const state = await client.call<{ next: string[]; interrupts: unknown[] }>("state.get", { thread_id: threadId });
  expect(state.next).toEqual(["tools"]);
  expect(state.interrupts).toHaveLength(1);

  const { run_id: answered } = await client.call<{ run_id: string }>("input.respond", { thread_id: threadId, interrupt_id: interrupt?.id, value: { decision: "approve" } });
  await client.waitForEvent("run.completed", { run_id: answered });
  const { rows } = await fixture.server.services.pool.query("SELECT 1 FROM outbox WHERE thread_id = $1", [threadId]);
  expect(rows).toHaveLength(1);
});

it("RUN_DURABILITY=exit makes exit the default; a run may still ask for async", async () => {
  const database = await createTestDatabase();
  try {
    await using server = await startTestServer({ databaseUrl: database.url, env: { RUN_DURABILITY: "exit" } });
    const onServer = httpOn(() => server);
    const { body: thread } = await onServer<{ thread_id: string }>("POST", "/threads", {});
    const threadId = thread.thread_id;
    const byDefault = await onServer("POST", `/threads/${threadId}/runs/wait`, { input: { messages: [{ role: "user", content: "by default" }] } });
    expect(byDefault.status).toBe(200);
    expect(await checkpointIds(threadId, server)).toHaveLength(1);
    const everyStep = await onServer("POST", `/threads/${threadId}/runs/wait`, { input: { messages: [{ role: "user", content: "every step" }] }, durability: "async" });
    expect(everyStep.status).toBe(200);
    expect((await checkpointIds(threadId, server)).length).toBeGreaterThan(2);
  } finally {
    await database.drop();
  }
});

it("a graceful shutdown during an exit run checkpoints its progress: the next instance continues, the model step is not redone", async () => {
  const database = await createTestDatabase();
  try {
    const env = { RUN_DURABILITY: "exit" as const, SHUTDOWN_GRACE_MS: 100, RUN_POLL_MS: 100 };
    const server = await startTestServer({ databaseUrl: database.url, env, tools: TOOLS_WITH_SLOW });
    const client = await TestWsClient.connect(server.wsUrl);
    const { thread_id: threadId } = await client.call<{ thread_id: string }>("thread.open", {});
    const { run_id: runId } = await client.call<{ run_id: string }>("run.start", { thread_id: threadId, input: { messages: [{ role: "user", content: '/tool slow_task {"ms": 1500}' }] } });
    // The model step is done (its tool call announced) and the tool is running when the server shuts down.
    const toolCall = await client.waitFor((frame) => frame.run_id === runId && frame.event === "message.completed" && (frame.data as { message: { role: string } }).message.role === "assistant");
    await server.close();
    await client.close();

    await using restarted = await startTestServer({ databaseUrl: database.url, env, tools: TOOLS_WITH_SLOW });
    const run = await restarted.services.runs.join("local", { thread_id: threadId, run_id: runId, timeout_ms: 20_000 });
    expect(run).toMatchObject({ status: "success", attempt: 2 });
    const history = await restarted.services.sessions.messages("local", threadId, { limit: 10 });
    expect(history.messages.map((message) => message.content)).toEqual(['/tool slow_task {"ms": 1500}', "", "done after 1500 ms", "Tool slow_task returned: done after 1500 ms"]);
    // The tool call the first attempt announced is the one in the transcript: the model step was not redone.
    expect(history.messages[1]?.id).toBe((toolCall.data as { message: { id: string } }).message.id);
    const { rows } = await restarted.services.pool.query("SELECT 1 FROM checkpoints WHERE thread_id = $1", [threadId]);
    expect(rows).toHaveLength(2);
  } finally {
    await database.drop();
  }
});

it("an unknown durability is refused with invalid_request, over HTTP and WebSocket, and nothing is stored", async () => {
  const threadId = await newThread();
  const refused = await http<{ code: string }>("POST", `/threads/${threadId}/runs/wait`, { input: { messages: [{ role: "user", content: "hi" }] }, durability: "never" });
  expect(refused.status).toBe(400);
  expect(refused.body.code).toBe("invalid_request");
  await using client = await TestWsClient.connect(fixture.server.wsUrl);
  const error = await client.call("run.start", { thread_id: threadId, input: { messages: [{ role: "user", content: "hi" }] }, durability: "never" }).catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(CommandError);
  expect((error as CommandError).frame.code).toBe("invalid_request");
  expect(await checkpointIds(threadId)).toEqual([]);
  const { rows } = await fixture.server.services.pool.query("SELECT 1 FROM runs WHERE thread_id = $1", [threadId]);
  expect(rows).toEqual([]);
});
