import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningServer } from "../../src/app.js";
import { seededRandom } from "../helpers/seeded-random.js";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database.js";
import { startTestServer } from "../helpers/test-server.js";
import { chat, type Frame, TestWsClient } from "../helpers/ws-client.js";

let database: TestDatabase;
let server: RunningServer;
let client: TestWsClient;

beforeAll(async () => {
  database = await createTestDatabase();
  server = await startTestServer({ databaseUrl: database.url, env: { FAKE_CHUNK_DELAY_MS: 15 } });
  client = await TestWsClient.connect(server.wsUrl);
});
afterAll(async () => {
  await client.close();
  await server.close();
  await database.drop();
});


const key = (frame: Frame) => `${frame.seq}:${frame.event}:${frame.run_id}:${JSON.stringify(frame.data)}`;

async function collectUntil(viewer: TestWsClient, threadId: string, lastSeq: number): Promise<Frame[]> {
  await viewer.waitFor((frame) => frame.type === "event" && frame.thread_id === threadId && (frame.seq ?? 0) >= lastSeq, 20_000);
  return viewer.events(threadId);
}

describe("reconnecting with since (property: replayed + live = the full sequence)", () => {
  it("replays exactly the events after any since, for stored history", async () => {
    const { thread_id } = await client.call<{ thread_id: string }>("thread.open", { window_id: "history" });
    await chat(client, thread_id, "one");
    await chat(client, thread_id, '/tool calculator {"expression":"2*21"}');
    await chat(client, thread_id, "三");
    await using reference = await TestWsClient.connect(server.wsUrl);
    const { last_seq } = await reference.call<{ last_seq: number }>("subscription.subscribe", { thread_id, since: 0 });
    const full = reference.events(thread_id);
    expect(full.map((frame) => frame.seq)).toEqual(Array.from({ length: last_seq }, (_, index) => index + 1));
    const next = seededRandom(42);
    for (let trial = 0; trial < 25; trial += 1) {
      const since = Math.floor(next() * (last_seq + 1));
      await using viewer = await TestWsClient.connect(server.wsUrl);
      await viewer.call("subscription.subscribe", { thread_id, since });
      const received = since === last_seq ? viewer.events(thread_id) : await collectUntil(viewer, thread_id, last_seq);
      expect(received.map(key), `since=${since}`).toEqual(full.filter((frame) => (frame.seq ?? 0) > since).map(key));
    }
  });

  it("joins a run in flight at a random point with no gap and no duplicate", async () => {
    const next = seededRandom(7);
    for (let trial = 0; trial < 6; trial += 1) {
      const { thread_id } = await client.call<{ thread_id: string }>("thread.open", { window_id: `live-${trial}` });
      await chat(client, thread_id, "warm up");
      const { run_id } = await client.call<{ run_id: string }>("run.start", {
        thread_id,
        input: { messages: [{ role: "user", content: `a reply that streams in several chunks, trial ${trial}` }] },
      });
      await new Promise((resolve) => setTimeout(resolve, Math.floor(next() * 60)));
      const seen = client.events(thread_id).map((frame) => frame.seq ?? 0);
      const since = Math.floor(next() * (Math.max(...seen) + 1));
      await using viewer = await TestWsClient.connect(server.wsUrl);
      await viewer.call("subscription.subscribe", { thread_id, since });
      const final = await client.waitForEvent("run.completed", { run_id });
      const received = await collectUntil(viewer, thread_id, final.seq ?? 0);
      const expected = client.events(thread_id).filter((frame) => (frame.seq ?? 0) > since);
      expect(received.map(key), `trial ${trial}, since=${since}`).toEqual(expected.map(key));
    }
  });
});

describe("timeline, fork and replay", () => {
  interface Summary {
    checkpoint_id: string;
    nodes: string[];
    next: string[];
    source: string | null;
    message_count: number;
    last_message: { id?: string; role: string; text: string; tool_calls?: string[] } | null;
  }

  it("forks at an old checkpoint into a new session and replays a tool-calling turn identically", async () => {
    const { thread_id } = await client.call<{ thread_id: string }>("thread.open", { window_id: "timeline" });
    await chat(client, thread_id, "hello");
    const toolTurn = await chat(client, thread_id, '/tool calculator {"expression":"6*7"}');
    const originalCall = await client.waitForEvent("tool.started", { run_id: toolTurn.runId });
    await chat(client, thread_id, "bye");

    const { checkpoints } = await client.call<{ checkpoints: Summary[] }>("state.listCheckpoints", { thread_id, limit: 50 });
    expect(checkpoints[0]?.last_message).toEqual({ id: expect.any(String) as string, role: "assistant", text: "You said: bye" });
    const afterFirstTurn = checkpoints.find((entry) => entry.message_count === 2 && entry.next.length === 0);
    const beforeToolTurn = checkpoints.find((entry) => entry.next[0] === "model" && entry.last_message?.text.startsWith("/tool calculator"));
    const toolStep = checkpoints.find((entry) => entry.last_message?.role === "tool");
    expect(toolStep).toMatchObject({ nodes: ["tools"], next: ["model"] });
    // The model step that only calls a tool has no text: the summary names the tool instead.
    const callStep = checkpoints.find((entry) => entry.nodes[0] === "model" && entry.next[0] === "tools");
    expect(callStep?.last_message).toEqual({ id: expect.any(String) as string, role: "assistant", text: "", tool_calls: ["calculator"] });
    expect(afterFirstTurn && beforeToolTurn).toBeTruthy();
    const page = await client.call<{ checkpoints: Summary[]; next_before: string | null }>("state.listCheckpoints", { thread_id, limit: 2, before: checkpoints[1]?.checkpoint_id });
    expect(page.checkpoints.map((entry) => entry.checkpoint_id)).toEqual(checkpoints.slice(2, 4).map((entry) => entry.checkpoint_id));
    expect(page.next_before).toBe(checkpoints[3]?.checkpoint_id);

    const fork = await client.call<{ thread_id: string; metadata: Record<string, unknown> }>("state.fork", { thread_id, checkpoint_id: afterFirstTurn?.checkpoint_id });
    expect(fork.thread_id).not.toBe(thread_id);
    expect(fork.metadata.forked_from).toEqual({ thread_id, checkpoint_id: afterFirstTurn?.checkpoint_id });
    const forkHistory = await client.call<{ messages: { content: string }[] }>("messages.list", { thread_id: fork.thread_id });
    expect(forkHistory.messages.map((message) => message.content)).toEqual(["hello", "You said: hello"]);
    await chat(client, fork.thread_id, "a different path");
    const forkState = await client.call<{ values: { messages: { content: string }[] } }>("state.get", { thread_id: fork.thread_id });
    expect(forkState.values.messages.map((message) => message.content)).toEqual(["hello", "You said: hello", "a different path", "You said: a different path"]);
    const original = await client.call<{ values: { messages: unknown[] } }>("state.get", { thread_id });
    expect(original.values.messages).toHaveLength(8);

    const replay = await client.call<{ run_id: string }>("run.start", { thread_id, checkpoint_id: beforeToolTurn?.checkpoint_id });
    const replayedCall = await client.waitForEvent("tool.started", { run_id: replay.run_id });
    expect({ name: replayedCall.data?.name, args: replayedCall.data?.args }).toEqual({ name: originalCall.data?.name, args: originalCall.data?.args });
    expect((await client.waitForEvent("tool.completed", { run_id: replay.run_id })).data?.output).toBe("42");
    await client.waitForEvent("run.completed", { run_id: replay.run_id });
    const replayed = await client.call<{ values: { messages: { content: string }[] } }>("state.get", { thread_id });
    expect(replayed.values.messages.map((message) => message.content).at(-1)).toBe("Tool calculator returned: 42");
    expect(replayed.values.messages).toHaveLength(6);
    const after = await client.call<{ checkpoints: Summary[] }>("state.listCheckpoints", { thread_id, limit: 100 });
    expect(after.checkpoints.length).toBeGreaterThan(checkpoints.length);
    const oldBranch = await client.call<{ values: { messages: { content: string }[] } }>("state.get", { thread_id, checkpoint_id: checkpoints[0]?.checkpoint_id });
    expect(oldBranch.values.messages.at(-1)?.content).toBe("You said: bye");
  });

  it("refuses to replay from a checkpoint the thread does not have (pruned, mistyped, another thread's), keeping its state", async () => {
    const { thread_id } = await client.call<{ thread_id: string }>("thread.open", { window_id: "replay-unknown" });
    await chat(client, thread_id, "stay");
    const other = await client.call<{ thread_id: string }>("thread.open", { window_id: "replay-unknown-other" });
    await chat(client, other.thread_id, "elsewhere");
    const othersCheckpoint = (await client.call<{ checkpoint: { checkpoint_id: string } }>("state.get", { thread_id: other.thread_id })).checkpoint.checkpoint_id;
    for (const checkpointId of ["1f0c0000-0000-6000-8000-000000000000", othersCheckpoint]) {
      const refused = await client.callError("run.start", { thread_id, checkpoint_id: checkpointId });
      expect(refused).toMatchObject({ code: "not_found", message: `Checkpoint ${checkpointId} not found` });
      const http = await fetch(`${server.url}/threads/${thread_id}/runs`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ assistant_id: "chat", checkpoint_id: checkpointId }),
      });
      expect(http.status).toBe(404);
    }
    const state = await client.call<{ values: { messages: { content: string }[] } }>("state.get", { thread_id });
    expect(state.values.messages.map((message) => message.content)).toEqual(["stay", "You said: stay"]);
    const runs = await client.call<{ run_id: string }[]>("run.list", { thread_id });
    expect(runs).toHaveLength(1);
  });

  it("fails a queued replay whose checkpoint was pruned before it started, keeping the thread's state", async () => {
    const { thread_id } = await client.call<{ thread_id: string }>("thread.open", { window_id: "replay-queued-pruned" });
    await chat(client, thread_id, "first");
    await chat(client, thread_id, "second");
    const { checkpoints } = await client.call<{ checkpoints: Summary[] }>("state.listCheckpoints", { thread_id, limit: 100 });
    const early = checkpoints.at(-1)?.checkpoint_id ?? "";
    const post = (path: string, body: unknown) =>
      fetch(`${server.url}${path}`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
    const queued = (await (await post(`/threads/${thread_id}/runs`, { assistant_id: "chat", checkpoint_id: early, input: { messages: [{ role: "user", content: "branch" }] }, after_seconds: 1 })).json()) as { run_id: string; status: string };
    expect(queued.status).toBe("pending");
    // What retention does to an intermediate checkpoint (here directly: the sweep's cutoff is days).
    const admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
    await admin.query("DELETE FROM checkpoints WHERE thread_id = $1 AND checkpoint_id = $2", [thread_id, early]);
    await admin.end();
    const failed = await client.waitFor((frame) => frame.event === "run.failed" && frame.run_id === queued.run_id, 20_000);
    expect(failed.data).toMatchObject({ code: "not_found" });
    const state = await client.call<{ values: { messages: { content: string }[] } }>("state.get", { thread_id });
    expect(state.values.messages.map((message) => message.content)).toEqual(["first", "You said: first", "second", "You said: second"]);
  });

  it("a fork or a replay with new input at the step where the model had just called a tool keeps the call answered", async () => {
    const { thread_id } = await client.call<{ thread_id: string }>("thread.open", { window_id: "fork-mid-tool" });
    await chat(client, thread_id, '/tool calculator {"expression":"6*7"}');
    const { checkpoints } = await client.call<{ checkpoints: Summary[] }>("state.listCheckpoints", { thread_id, limit: 50 });
    const callStep = checkpoints.find((entry) => entry.nodes[0] === "model" && entry.next[0] === "tools");
    expect(callStep).toBeDefined();
    type Message = { type: string; content: string; id: string; tool_calls?: { id: string }[]; tool_call_id?: string };
    const answered = (messages: Message[]) =>
      messages.every((message, index) => (message.tool_calls ?? []).every((call) => messages.slice(index + 1).some((later) => later.tool_call_id === call.id)));

    const fork = await client.call<{ thread_id: string }>("state.fork", { thread_id, checkpoint_id: callStep?.checkpoint_id });
    await client.call("subscription.subscribe", { thread_id: fork.thread_id });
    expect((await chat(client, fork.thread_id, "continue on the fork")).final.event).toBe("run.completed");
    const forked = await client.call<{ values: { messages: Message[] } }>("state.get", { thread_id: fork.thread_id });
    expect(forked.values.messages.map((message) => message.type)).toEqual(["human", "ai", "tool", "human", "ai"]);
    // The tool had run before the fork: its real result is kept, not a "cancelled" stand-in.
    expect(forked.values.messages[2]?.content).toBe("42");
    expect(answered(forked.values.messages)).toBe(true);

    const { run_id } = await client.call<{ run_id: string }>("run.start", {
      thread_id,
      checkpoint_id: callStep?.checkpoint_id,
      input: { messages: [{ role: "user", content: "forget the calculation" }] },
    });
    await client.waitFor((frame) => frame.run_id === run_id && frame.event === "run.completed", 10_000);
    const replayed = await client.call<{ values: { messages: Message[] } }>("state.get", { thread_id });
    expect(replayed.values.messages.map((message) => message.type)).toEqual(["human", "ai", "tool", "human", "ai"]);
    expect(replayed.values.messages.at(-1)?.content).toBe("You said: forget the calculation");
    expect(answered(replayed.values.messages)).toBe(true);
  });

  it("a fork in the middle of a turn has the state at its checkpoint, not what the source did next; a run without input continues it", async () => {
    const { thread_id } = await client.call<{ thread_id: string }>("thread.open", { window_id: "fork-mid-turn" });
    await chat(client, thread_id, "first alpha");
    await chat(client, thread_id, "second beta");
    const { checkpoints } = await client.call<{ checkpoints: (Summary & { source: string })[] }>("state.listCheckpoints", { thread_id, limit: 50 });
    const beforeReply = checkpoints.find((entry) => entry.next[0] === "model" && entry.last_message?.text === "second beta");
    expect(beforeReply).toMatchObject({ message_count: 3 });
    type State = { values: { messages: { content: string }[] }; next: string[] };
    const fork = await client.call<{ thread_id: string }>("state.fork", { thread_id, checkpoint_id: beforeReply?.checkpoint_id });
    const forked = await client.call<State>("state.get", { thread_id: fork.thread_id });
    expect(forked.values.messages.map((message) => message.content)).toEqual(["first alpha", "You said: first alpha", "second beta"]);
    expect(forked.next).toEqual(["model"]);
    const transcript = await client.call<{ messages: { content: string }[] }>("messages.list", { thread_id: fork.thread_id });
    expect(transcript.messages.map((message) => message.content)).toEqual(["first alpha", "You said: first alpha", "second beta"]);
    // It waits for the user to continue it, as a reply paused at a breakpoint does (the web page offers Continue).
    expect(await client.call("thread.get", { thread_id: fork.thread_id })).toMatchObject({ status: "interrupted", awaiting_human: true });
    const { run_id } = await client.call<{ run_id: string }>("run.start", { thread_id: fork.thread_id });
    await client.waitForEvent("run.completed", { run_id });
    expect((await client.call<State>("state.get", { thread_id: fork.thread_id })).values.messages.map((message) => message.content).at(-1)).toBe("You said: second beta");
    expect(await client.call("thread.get", { thread_id: fork.thread_id })).toMatchObject({ status: "idle" });

    // At the step where the model had called a tool that ran: the fork keeps the tool's result (in its transcript
    // too) and stands before the model's answer, which a run without input gives.
    await chat(client, thread_id, '/tool calculator {"expression":"2+3"}');
    const latest = await client.call<{ checkpoints: Summary[] }>("state.listCheckpoints", { thread_id, limit: 10 });
    const callStep = latest.checkpoints.find((entry) => entry.next[0] === "tools");
    const afterTool = await client.call<{ thread_id: string }>("state.fork", { thread_id, checkpoint_id: callStep?.checkpoint_id });
    const toolState = await client.call<{ values: { messages: { type: string }[] }; next: string[] }>("state.get", { thread_id: afterTool.thread_id });
    expect(toolState.values.messages.map((message) => message.type).slice(-3)).toEqual(["human", "ai", "tool"]);
    expect(toolState.next).toEqual(["model"]);
    const toolTranscript = await client.call<{ messages: { role: string; content: string }[] }>("messages.list", { thread_id: afterTool.thread_id });
    expect(toolTranscript.messages.map((message) => message.role).slice(-3)).toEqual(["user", "assistant", "tool"]);
    expect(toolTranscript.messages.at(-1)?.content).toBe("5");
    const toolRun = await client.call<{ run_id: string }>("run.start", { thread_id: afterTool.thread_id });
    await client.waitForEvent("run.completed", { run_id: toolRun.run_id });
    const toolEvents = client.events(afterTool.thread_id).filter((frame) => frame.run_id === toolRun.run_id).map((frame) => frame.event);
    expect(toolEvents).not.toContain("tool.started");
    expect((await client.call<State>("state.get", { thread_id: afterTool.thread_id })).values.messages.at(-1)?.content).toBe("Tool calculator returned: 5");

    // At the input checkpoint of the second turn: the fork starts before that message (the first turn's end).
    const input = checkpoints.find((entry) => entry.source === "input" && entry.message_count === 2);
    const atInput = await client.call<{ thread_id: string; title: string }>("state.fork", { thread_id, checkpoint_id: input?.checkpoint_id });
    expect(await client.call("thread.get", { thread_id: atInput.thread_id })).toMatchObject({ status: "idle" });
    expect((await client.call<{ messages: { content: string }[] }>("messages.list", { thread_id: atInput.thread_id })).messages.map((message) => message.content)).toEqual(["first alpha", "You said: first alpha"]);
    const first = checkpoints.at(-1);
    expect(first?.source).toBe("input");
    expect(await client.callError("state.fork", { thread_id, checkpoint_id: first?.checkpoint_id })).toMatchObject({ code: "invalid_request" });
    // A fork of a fork is marked once.
    const forkedAt = (await client.call<{ checkpoints: Summary[] }>("state.listCheckpoints", { thread_id: atInput.thread_id, limit: 1 })).checkpoints[0];
    const again = await client.call<{ title: string }>("state.fork", { thread_id: atInput.thread_id, checkpoint_id: forkedAt?.checkpoint_id });
    expect([atInput.title, again.title]).toEqual(["first alpha (fork)", "first alpha (fork)"]);
    expect((await client.call<State>("state.get", { thread_id: atInput.thread_id })).values.messages.map((message) => message.content)).toEqual(["first alpha", "You said: first alpha"]);
  });

  it("a fork's values are checked and recorded as a state edit's: added messages join its transcript, a bad summary creates nothing", async () => {
    const { thread_id } = await client.call<{ thread_id: string }>("thread.open", { window_id: "fork-values" });
    await chat(client, thread_id, "keep this");
    const { checkpoints } = await client.call<{ checkpoints: Summary[] }>("state.listCheckpoints", { thread_id, limit: 1 });
    const checkpoint_id = checkpoints[0]?.checkpoint_id;
    const fork = await client.call<{ thread_id: string }>("state.fork", { thread_id, checkpoint_id, values: { messages: [{ role: "user", content: "added by the fork's values" }] } });
    const transcript = await client.call<{ messages: { content: string }[] }>("messages.list", { thread_id: fork.thread_id });
    expect(transcript.messages.map((message) => message.content)).toEqual(["keep this", "You said: keep this", "added by the fork's values"]);

    const before = (await client.call<{ sessions: unknown[] }>("thread.list", { limit: 100 })).sessions.length;
    const refused = await client.callError("state.fork", { thread_id, checkpoint_id, values: { summary: "bad" } });
    expect(refused).toMatchObject({ code: "invalid_request" });
    expect((await client.call<{ sessions: unknown[] }>("thread.list", { limit: 100 })).sessions).toHaveLength(before);
    const broken = await client.callError("state.fork", { thread_id, checkpoint_id, values: { messages: [{ role: "user", content: "x", id: "not-in-state" }, { nonsense: true }] } });
    expect(broken.code).toBeDefined();
    expect((await client.call<{ sessions: unknown[] }>("thread.list", { limit: 100 })).sessions).toHaveLength(before);
  });

  it("pages the whole timeline with next_before, each checkpoint once, ending with null", async () => {
    const { thread_id } = await client.call<{ thread_id: string }>("thread.open", { window_id: "timeline-pages" });
    await chat(client, thread_id, "one");
    await chat(client, thread_id, '/tool calculator {"expression":"1+2"}');
    await chat(client, thread_id, "three");
    type Page = { checkpoints: Summary[]; next_before: string | null };
    const all = await client.call<Page>("state.listCheckpoints", { thread_id, limit: 100 });
    expect(all.next_before).toBeNull();
    for (const limit of [1, 3, all.checkpoints.length - 1, all.checkpoints.length]) {
      const seen: string[] = [];
      let before: string | null | undefined;
      for (let pages = 0; before !== null; pages += 1) {
        expect(pages, `limit ${limit} pages without end`).toBeLessThanOrEqual(all.checkpoints.length);
        const page: Page = await client.call<Page>("state.listCheckpoints", { thread_id, limit, ...(before ? { before } : {}) });
        expect(page.checkpoints.length).toBeLessThanOrEqual(limit);
        if (page.next_before !== null) expect(page.next_before).toBe(page.checkpoints.at(-1)?.checkpoint_id);
        seen.push(...page.checkpoints.map((entry) => entry.checkpoint_id));
        before = page.next_before;
      }
      expect(seen, `limit ${limit}`).toEqual(all.checkpoints.map((entry) => entry.checkpoint_id));
    }
  });

  it("unknown checkpoints answer not_found", async () => {
    const { thread_id } = await client.call<{ thread_id: string }>("thread.open", { window_id: "timeline-errors" });
    await chat(client, thread_id, "hi");
    expect((await client.callError("state.get", { thread_id, checkpoint_id: "nope" })).code).toBe("not_found");
    expect((await client.callError("state.fork", { thread_id, checkpoint_id: "nope" })).code).toBe("not_found");
    // A page cursor that is no checkpoint of the thread: LangGraph would answer the first page again.
    expect((await client.callError("state.listCheckpoints", { thread_id, before: "nope" })).code).toBe("not_found");
    const history = await fetch(`${server.url}/threads/${thread_id}/history`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ before: "nope" }) });
    expect(history.status).toBe(404);
    const { checkpoints } = await client.call<{ checkpoints: { checkpoint_id: string }[] }>("state.listCheckpoints", { thread_id });
    const older = await fetch(`${server.url}/threads/${thread_id}/history`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ before: checkpoints[0]?.checkpoint_id }) });
    expect(((await older.json()) as unknown[]).length).toBe(checkpoints.length - 1);
  });
});
