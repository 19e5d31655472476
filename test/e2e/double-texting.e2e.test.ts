import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningServer } from "../../src/app.js";
import { TOOLS_WITH_SLOW } from "../helpers/slow-tool.js";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database.js";
import { startTestServer } from "../helpers/test-server.js";
import { type Frame, TestWsClient } from "../helpers/ws-client.js";

let database: TestDatabase;
let server: RunningServer;
let first: TestWsClient;
let second: TestWsClient;

beforeAll(async () => {
  database = await createTestDatabase();
  // Slow enough that a run is still streaming when a second window interrupts it, even on a loaded machine.
  server = await startTestServer({ databaseUrl: database.url, env: { FAKE_CHUNK_DELAY_MS: 250 }, tools: TOOLS_WITH_SLOW });
  first = await TestWsClient.connect(server.wsUrl);
  second = await TestWsClient.connect(server.wsUrl);
});
afterAll(async () => {
  await first.close();
  await second.close();
  await server.close();
  await database.drop();
});

const say = (content: string) => ({ messages: [{ role: "user", content }] });

async function newThread(window: string): Promise<string> {
  const { thread_id } = await first.call<{ thread_id: string }>("thread.open", { window_id: window });
  await second.call("subscription.subscribe", { thread_id });
  return thread_id;
}

function finalOf(client: TestWsClient, runId: string): Promise<Frame> {
  return client.waitFor((frame) => frame.type === "event" && frame.run_id === runId && ["run.completed", "run.failed", "run.interrupted"].includes(frame.event ?? ""), 30_000);
}

async function transcript(threadId: string): Promise<string[]> {
  const page = await first.call<{ messages: { content: string }[] }>("messages.list", { thread_id: threadId });
  return page.messages.map((message) => message.content);
}

async function stateMessages(threadId: string): Promise<string[]> {
  const state = await first.call<{ values: { messages?: { content: string }[] } }>("state.get", { thread_id: threadId });
  return (state.values.messages ?? []).map((message) => message.content);
}

describe("double texting", () => {
  it("enqueue (default): racing windows both get runs, executed one at a time in order", async () => {
    const threadId = await newThread("enqueue");
    const [a, b] = await Promise.all([
      first.call<{ run_id: string }>("run.start", { thread_id: threadId, input: say("from window one") }),
      second.call<{ run_id: string }>("run.start", { thread_id: threadId, input: say("from window two") }),
    ]);
    await finalOf(first, a.run_id);
    await finalOf(first, b.run_id);
    const lifecycle = first.events(threadId).filter((frame) => frame.event?.startsWith("run.")).map((frame) => `${frame.event}:${frame.run_id === a.run_id ? "a" : "b"}`);
    const order = lifecycle.filter((entry) => !entry.startsWith("run.queued"));
    expect([order, order.slice(2).concat(order.slice(0, 2))]).toContainEqual(["run.started:a", "run.completed:a", "run.started:b", "run.completed:b"]);
    expect(lifecycle.filter((entry) => entry.startsWith("run.queued"))).toHaveLength(1);
    const messages = await transcript(threadId);
    expect(messages).toHaveLength(4);
    expect(messages.filter((content) => content.startsWith("You said"))).toHaveLength(2);
    expect(messages[1]).toBe(`You said: ${messages[0]}`);
    expect(messages[3]).toBe(`You said: ${messages[2]}`);
  });

  it("interrupt: stops the current run keeping its progress, then starts the new one", async () => {
    const threadId = await newThread("interrupt");
    const a = await first.call<{ run_id: string }>("run.start", { thread_id: threadId, input: say("a long first answer please") });
    await first.waitForEvent("message.delta", { run_id: a.run_id });
    const b = await second.call<{ run_id: string }>("run.start", { thread_id: threadId, input: say("actually, this"), multitask_strategy: "interrupt" });
    expect((await finalOf(first, a.run_id)).data).toMatchObject({ status: "interrupted", code: "interrupted" });
    expect((await finalOf(first, b.run_id)).event).toBe("run.completed");
    expect(await stateMessages(threadId)).toEqual(["a long first answer please", "actually, this", "You said: actually, this"]);
    expect(await transcript(threadId)).toEqual(["a long first answer please", "actually, this", "You said: actually, this"]);
  });

  it("rollback: stops the current run and discards its progress", async () => {
    const threadId = await newThread("rollback");
    await finalOf(first, (await first.call<{ run_id: string }>("run.start", { thread_id: threadId, input: say("keep me") })).run_id);
    const a = await first.call<{ run_id: string }>("run.start", { thread_id: threadId, input: say("forget me") });
    await first.waitForEvent("message.delta", { run_id: a.run_id });
    const b = await second.call<{ run_id: string }>("run.start", { thread_id: threadId, input: say("instead"), multitask_strategy: "rollback" });
    expect((await finalOf(first, a.run_id)).data).toMatchObject({ status: "cancelled", code: "rolled_back" });
    expect((await finalOf(first, b.run_id)).event).toBe("run.completed");
    expect(await stateMessages(threadId)).toEqual(["keep me", "You said: keep me", "instead", "You said: instead"]);
    expect(await transcript(threadId)).toEqual(["keep me", "You said: keep me", "instead", "You said: instead"]);
    const removed = await first.waitForEvent("messages.removed", { run_id: a.run_id });
    expect((removed.data as { message_ids: string[] }).message_ids).toHaveLength(1);
  });

  it("cancelling a later run with action rollback takes its input out of the state too, so the next turn's model never sees it", async () => {
    const threadId = await newThread("cancel-rollback");
    await finalOf(first, (await first.call<{ run_id: string }>("run.start", { thread_id: threadId, input: say("keep me") })).run_id);
    const a = await first.call<{ run_id: string }>("run.start", { thread_id: threadId, input: say("my PIN is 8888, roll this back") });
    await first.waitForEvent("message.delta", { run_id: a.run_id });
    await first.call("run.cancel", { thread_id: threadId, run_id: a.run_id, action: "rollback" });
    expect((await finalOf(first, a.run_id)).data).toMatchObject({ status: "cancelled", code: "rolled_back" });
    expect(await stateMessages(threadId)).toEqual(["keep me", "You said: keep me"]);
    await finalOf(first, (await first.call<{ run_id: string }>("run.start", { thread_id: threadId, input: say("next") })).run_id);
    expect(await stateMessages(threadId)).toEqual(["keep me", "You said: keep me", "next", "You said: next"]);
    expect(await transcript(threadId)).toEqual(["keep me", "You said: keep me", "next", "You said: next"]);
  });

  it("messages one socket sends back to back to a thread run in the order it sent them", async () => {
    for (let trial = 0; trial < 3; trial += 1) {
      const threadId = await newThread(`back-to-back-${trial}`);
      const sent = ["m0", "m1", "m2", "m3", "m4"];
      const started = await Promise.all(sent.map((text) => first.call<{ run_id: string }>("run.start", { thread_id: threadId, input: say(text) })));
      for (const { run_id } of started) await finalOf(first, run_id);
      expect(await transcript(threadId)).toEqual(sent.flatMap((text) => [text, `You said: ${text}`]));
    }
  });

  it("rollback of a thread's first run leaves only the new run", async () => {
    const threadId = await newThread("rollback-first");
    const a = await first.call<{ run_id: string }>("run.start", { thread_id: threadId, input: say("first ever") });
    await first.waitForEvent("message.delta", { run_id: a.run_id });
    const b = await second.call<{ run_id: string }>("run.start", { thread_id: threadId, input: say("replacement"), multitask_strategy: "rollback" });
    await finalOf(first, b.run_id);
    expect(await stateMessages(threadId)).toEqual(["replacement", "You said: replacement"]);
  });

  it("interrupt cancels queued runs too", async () => {
    const threadId = await newThread("interrupt-queue");
    const a = await first.call<{ run_id: string }>("run.start", { thread_id: threadId, input: say("one") });
    const queued = await first.call<{ run_id: string }>("run.start", { thread_id: threadId, input: say("two") });
    const c = await second.call<{ run_id: string }>("run.start", { thread_id: threadId, input: say("three"), multitask_strategy: "interrupt" });
    expect((await finalOf(first, queued.run_id)).data).toMatchObject({ status: "cancelled", code: "superseded" });
    await finalOf(first, a.run_id);
    await finalOf(first, c.run_id);
    expect(await transcript(threadId)).toEqual(["one", "three", "You said: three"]);
  });
});

describe("cancel", () => {
  it("says who stopped a run: the user's interrupt or rollback, or the newer run that superseded it", async () => {
    for (const action of ["interrupt", "rollback"] as const) {
      const threadId = await newThread(`cancel-${action}`);
      const { run_id } = await first.call<{ run_id: string }>("run.start", { thread_id: threadId, input: say('/tool slow_task {"ms": 20000}') });
      await first.waitForEvent("tool.started", { run_id });
      await first.call("run.cancel", { thread_id: threadId, run_id, action });
      expect((await finalOf(first, run_id)).data).toMatchObject({ message: action === "interrupt" ? "interrupted by user" : "rolled back by user" });
    }
    const threadId = await newThread("cancel-superseded");
    const { run_id } = await first.call<{ run_id: string }>("run.start", { thread_id: threadId, input: say('/tool slow_task {"ms": 20000}') });
    await first.waitForEvent("tool.started", { run_id });
    const newer = await first.call<{ run_id: string }>("run.start", { thread_id: threadId, input: say("never mind"), multitask_strategy: "interrupt" });
    expect((await finalOf(first, run_id)).data).toMatchObject({ code: "interrupted", message: `superseded by run ${newer.run_id}` });
  });

  it("cancelling during a tool aborts the tool, frees the thread and closes the dangling call", async () => {
    const threadId = await newThread("cancel-tool");
    const { run_id } = await first.call<{ run_id: string }>("run.start", { thread_id: threadId, input: say('/tool slow_task {"ms": 20000}') });
    await first.waitForEvent("tool.started", { run_id });
    await first.call("run.cancel", { thread_id: threadId, run_id });
    const cancelled = await finalOf(first, run_id);
    expect(cancelled.data).toMatchObject({ status: "cancelled", code: "cancelled" });
    // The model call that asked for the tool had finished: its tokens count, in the event and on the run.
    expect(cancelled.data).toMatchObject({ usage: { input_tokens: expect.any(Number) as number, output_tokens: expect.any(Number) as number } });
    const next = await first.call<{ run_id: string }>("run.start", { thread_id: threadId, input: say("still alive?") });
    expect((await finalOf(first, next.run_id)).event).toBe("run.completed");
    const state = await first.call<{ values: { messages: { type: string; status?: string }[] } }>("state.get", { thread_id: threadId });
    expect(state.values.messages.map((message) => message.type)).toEqual(["human", "ai", "tool", "human", "ai"]);
    expect(state.values.messages[2]?.status).toBe("error");
  });

  it("cancelling a queued run cancels it before it starts", async () => {
    const threadId = await newThread("cancel-queued");
    const a = await first.call<{ run_id: string }>("run.start", { thread_id: threadId, input: say("running") });
    const b = await first.call<{ run_id: string }>("run.start", { thread_id: threadId, input: say("queued") });
    const cancelled = await first.call<{ status: string }>("run.cancel", { thread_id: threadId, run_id: b.run_id });
    expect(cancelled.status).toBe("cancelled");
    await finalOf(first, a.run_id);
    expect(await transcript(threadId)).toEqual(["running", "You said: running"]);
    const runs = await first.call<{ run_id: string; status: string }[]>("run.list", { thread_id: threadId });
    expect(runs.map((run) => run.status).sort()).toEqual(["cancelled", "success"]);
  });
});
