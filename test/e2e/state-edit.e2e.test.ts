import { beforeAll, expect, it } from "vitest";
import type { RunningServer } from "../../src/app.js";
import { createTempDir } from "../helpers/test-database.js";
import { startTestServer, useTestServer } from "../helpers/test-server.js";
import { chat, TestWsClient } from "../helpers/ws-client.js";
import { postStateEdit } from "../helpers/state-edit.js";

const fixture = useTestServer();
let server: RunningServer;
beforeAll(() => {
  ({ server } = fixture);
});

/** A session of a new assistant with a small context budget (its turns fold early). */
async function threadOnSmallBudget(window: TestWsClient, options: { windowId: string; budget: number }): Promise<string> {
  const created = await fetch(`${server.url}/assistants`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ graph_id: "chat", context: { tools: [], context_budget: options.budget } }),
  });
  const { assistant_id } = (await created.json()) as { assistant_id: string };
  return (await window.call<{ thread_id: string }>("thread.open", { window_id: options.windowId, assistant_id })).thread_id;
}

it("a state edit over HTTP reaches the transcript and every window, live and on replay", async () => {
  await using window = await TestWsClient.connect(server.wsUrl);
  const { thread_id: threadId } = await window.call<{ thread_id: string }>("thread.open", { window_id: "editing" });
  await chat(window, threadId, "hello");
  await window.call("subscription.subscribe", { thread_id: threadId });

  const response = await postStateEdit(server.url, threadId, [{ role: "assistant", content: "a note added by an operator" }]);
  expect(response.status).toBe(200);

  const live = await window.waitFor((frame) => frame.event === "message.completed" && (frame.data as { message: { content: string } }).message.content === "a note added by an operator");
  expect(live.run_id).toBeNull();
  const history = await window.call<{ messages: { role: string; content: string }[] }>("messages.list", { thread_id: threadId, limit: 10 });
  expect(history.messages.map((message) => [message.role, message.content])).toEqual([
    ["user", "hello"],
    ["assistant", "You said: hello"],
    ["assistant", "a note added by an operator"],
  ]);

  await using later = await TestWsClient.connect(server.wsUrl);
  await later.call("subscription.subscribe", { thread_id: threadId, since: 0 });
  const replayed = later.events(threadId).filter((frame) => frame.event === "message.completed");
  expect(replayed.map((frame) => (frame.data as { message: { content: string } }).message.content)).toEqual(["hello", "You said: hello", "a note added by an operator"]);

  // An edit that adds no message announces nothing.
  const before = window.events(threadId).length;
  const titleOnly = await postStateEdit(server.url, threadId, []);
  expect(titleOnly.status).toBe(200);
  await window.call("thread.list", {});
  expect(window.events(threadId).length).toBe(before);
});

it("a state edit replacing a message under its id revises its transcript row in place, for search and every window", async () => {
  await using window = await TestWsClient.connect(server.wsUrl);
  const { thread_id: threadId } = await window.call<{ thread_id: string }>("thread.open", { window_id: "redacting" });
  await chat(window, threadId, "my card number is 4111 1111 1111 1111");
  await using other = await TestWsClient.connect(server.wsUrl);
  await other.call("subscription.subscribe", { thread_id: threadId });
  type Listed = { id: string; seq: number; role: string; content: string; edited_at?: string };
  const list = async () => (await window.call<{ messages: Listed[] }>("messages.list", { thread_id: threadId, limit: 10 })).messages;
  const original = await list();
  const reply = original.find((message) => message.role === "assistant") as Listed;
  const edit = () => postStateEdit(server.url, threadId, [{ role: "assistant", content: "You said: my card number is [redacted]", id: reply.id }]);
  expect((await edit()).status).toBe(200);

  const live = await other.waitFor((frame) => frame.event === "message.completed" && (frame.data as { message: Listed }).message.id === reply.id);
  const announced = (live.data as { message: Listed }).message;
  expect(announced).toMatchObject({ id: reply.id, seq: reply.seq, content: "You said: my card number is [redacted]" });
  expect(typeof announced.edited_at).toBe("string");
  const revised = await list();
  expect(revised.map((message) => [message.id, message.seq])).toEqual(original.map((message) => [message.id, message.seq]));
  expect(revised.find((message) => message.id === reply.id)).toMatchObject({ content: "You said: my card number is [redacted]", edited_at: announced.edited_at });
  const search = async (query: string) => {
    const response = await fetch(`${server.url}/threads/${threadId}/messages/search`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ query }) });
    return ((await response.json()) as { results: Listed[] }).results.map((hit) => hit.id);
  };
  expect(await search("redacted")).toEqual([reply.id]);
  // The user's own message still says it; the reply no longer does.
  expect(await search("4111")).not.toContain(reply.id);

  // The same edit again changes nothing, so it announces nothing.
  const before = other.events(threadId).length;
  expect((await edit()).status).toBe(200);
  await other.call("thread.list", {});
  expect(other.events(threadId).length).toBe(before);
});

it("a state edit waits for a submission holding the thread's lock, then refuses the thread it made busy", async () => {
  await using window = await TestWsClient.connect(server.wsUrl);
  const { thread_id: threadId } = await window.call<{ thread_id: string }>("thread.open", { window_id: "edit-race" });
  await chat(window, threadId, "hello");
  await server.services.active.drain(10_000);
  const submission = await server.services.pool.connect();
  let answered: number | undefined;
  try {
    // What a submission does: lock the thread, mark it busy; the edit arrives before it commits.
    await submission.query("BEGIN");
    await submission.query("UPDATE threads SET status = 'busy' WHERE thread_id = $1", [threadId]);
    const edit = postStateEdit(server.url, threadId, [{ role: "assistant", content: "an edit racing a run" }]).then(async (response) => {
      answered = response.status;
      return response.json() as Promise<{ code?: string }>;
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(answered).toBeUndefined();
    await submission.query("COMMIT");
    expect(await edit).toMatchObject({ code: "thread_busy" });
    expect(answered).toBe(409);
  } finally {
    await submission.query("UPDATE threads SET status = 'idle' WHERE thread_id = $1", [threadId]);
    submission.release();
  }
  const history = await window.call<{ messages: { content: string }[] }>("messages.list", { thread_id: threadId, limit: 10 });
  expect(history.messages.map((message) => message.content)).not.toContain("an edit racing a run");
});

it("after a state edit leaves a tool call unanswered, the next run still closes it before the new input", async () => {
  await using window = await TestWsClient.connect(server.wsUrl);
  const { thread_id: threadId } = await window.call<{ thread_id: string }>("thread.open", { window_id: "dangling" });
  await chat(window, threadId, "first");
  // The edit comes after a successful run: the next run must not take the state for clean and skip reading it.
  const edit = await fetch(`${server.url}/threads/${threadId}/state`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({
      values: { messages: [{ type: "ai", content: "", tool_calls: [{ id: "call_dangling", name: "calculator", args: { expression: "1+1" } }] }] },
      as_node: "model",
    }),
  });
  expect(edit.status).toBe(200);
  const { final } = await chat(window, threadId, "second");
  expect(final.event).toBe("run.completed");
  const state = await window.call<{ values: { messages: { type?: string; content: string; tool_call_id?: string }[] } }>("state.get", { thread_id: threadId });
  const contents = state.values.messages.map((message) => message.content);
  expect(contents.slice(-3)).toEqual(["Error: this tool call was cancelled before it returned a result.", "second", "You said: second"]);
});

/** A state edit on `target` refused by the transcript, then one accepted, then a run: checks all three. */
async function refusedEditLeavesNothing(target: RunningServer): Promise<void> {
  const { pool } = target.services;
  // Postgres refuses this one message in the transcript, after the edit's checkpoint was written.
  await pool.query(`CREATE OR REPLACE FUNCTION refuse_test_message() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN IF NEW.content = 'refused by the transcript' THEN RAISE EXCEPTION 'transcript write refused (test)'; END IF; RETURN NEW; END $$`);
  await pool.query("CREATE TRIGGER refuse_test_message BEFORE INSERT ON messages FOR EACH ROW EXECUTE FUNCTION refuse_test_message()");
  try {
    await using window = await TestWsClient.connect(target.wsUrl);
    const { thread_id: threadId } = await window.call<{ thread_id: string }>("thread.open", { window_id: "atomic-edit" });
    await chat(window, threadId, "hello");
    const stateBefore = await window.call<{ checkpoint: { checkpoint_id: string }; values: { messages: unknown[] } }>("state.get", { thread_id: threadId });
    const eventsBefore = await pool.query<{ n: number }>("SELECT count(*)::int AS n FROM thread_events WHERE thread_id = $1", [threadId]);

    const edit = (content: string) => postStateEdit(target.url, threadId, [{ role: "assistant", content }]);
    const refused = await edit("refused by the transcript");
    expect(refused.status).toBe(500);
    expect(((await refused.json()) as { code: string }).code).toBe("internal");

    const stateAfter = await window.call<{ checkpoint: { checkpoint_id: string }; values: { messages: unknown[] } }>("state.get", { thread_id: threadId });
    expect(stateAfter.checkpoint.checkpoint_id).toBe(stateBefore.checkpoint.checkpoint_id);
    expect(stateAfter.values.messages).toEqual(stateBefore.values.messages);
    const history = await window.call<{ messages: { content: string }[] }>("messages.list", { thread_id: threadId, limit: 10 });
    expect(history.messages.map((message) => message.content)).toEqual(["hello", "You said: hello"]);
    const eventsAfter = await pool.query<{ n: number }>("SELECT count(*)::int AS n FROM thread_events WHERE thread_id = $1", [threadId]);
    expect(eventsAfter.rows[0]?.n).toBe(eventsBefore.rows[0]?.n);

    // The thread is unharmed: the next edit and the next run store their messages as usual.
    expect((await edit("an operator's note")).status).toBe(200);
    const { final } = await chat(window, threadId, "again");
    expect(final.event).toBe("run.completed");
    const state = await window.call<{ values: { messages: { content: string }[] } }>("state.get", { thread_id: threadId });
    expect(state.values.messages.map((message) => message.content)).toEqual(["hello", "You said: hello", "an operator's note", "again", "You said: again"]);
  } finally {
    await pool.query("DROP TRIGGER refuse_test_message ON messages");
  }
}

it("a state edit whose transcript write fails leaves nothing behind: no checkpoint, no transcript row, no event", async () => {
  await refusedEditLeavesNothing(server);
});

it("the same on the embedded database, whose pool has a single connection (the edit's transaction holds it)", async () => {
  await using directory = await createTempDir();
  const embedded = await startTestServer({ dataDir: directory.path });
  try {
    await refusedEditLeavesNothing(embedded);
  } finally {
    await embedded.close();
  }
});

it("a state edit on a checkpoint the thread does not have is refused (404) and the state stays", async () => {
  await using window = await TestWsClient.connect(server.wsUrl);
  const { thread_id: threadId } = await window.call<{ thread_id: string }>("thread.open", { window_id: "edit-unknown-checkpoint" });
  await chat(window, threadId, "keep me");
  const other = await window.call<{ thread_id: string }>("thread.open", { window_id: "edit-other-thread" });
  await chat(window, other.thread_id, "elsewhere");
  const othersCheckpoint = (await window.call<{ checkpoint: { checkpoint_id: string } }>("state.get", { thread_id: other.thread_id })).checkpoint.checkpoint_id;
  for (const checkpointId of ["1f0c0000-0000-6000-8000-000000000000", othersCheckpoint]) {
    const response = await fetch(`${server.url}/threads/${threadId}/state`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ values: { messages: [{ role: "assistant", content: "replacing everything" }] }, as_node: "model", checkpoint_id: checkpointId }),
    });
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ code: "not_found", message: `Checkpoint ${checkpointId} not found` });
  }
  const state = await window.call<{ values: { messages: { content: string }[] } }>("state.get", { thread_id: threadId });
  expect(state.values.messages.map((message) => message.content)).toEqual(["keep me", "You said: keep me"]);
});

it("a state edit of a message folded out of the state is refused, leaving state and transcript as they were", async () => {
  await using window = await TestWsClient.connect(server.wsUrl);
  const threadId = await threadOnSmallBudget(window, { windowId: "edit-folded", budget: 300 });
  for (let turn = 0; turn < 6; turn += 1) await chat(window, threadId, `turn ${turn}: ${"a long message about the quarterly invoices ".repeat(4)}`);
  type State = { values: { messages: { id: string; content: string }[]; summary?: { message_count: number } } };
  const before = await window.call<State>("state.get", { thread_id: threadId });
  expect(before.values.summary?.message_count).toBeGreaterThan(0);
  const transcript = async () => (await window.call<{ messages: { id: string; content: string }[] }>("messages.list", { thread_id: threadId, limit: 50 })).messages;
  const rows = await transcript();
  const folded = rows[0] as { id: string; content: string };
  expect(before.values.messages.map((message) => message.id)).not.toContain(folded.id);

  const response = await postStateEdit(server.url, threadId, [{ role: "user", content: "[redacted]", id: folded.id }]);
  expect(response.status).toBe(400);
  expect(await response.json()).toMatchObject({ code: "invalid_request", details: { message_ids: [folded.id] } });
  expect(await window.call<State>("state.get", { thread_id: threadId })).toEqual(before);
  expect(await transcript()).toEqual(rows);
});

it("a state edit setting the running summary to something else than a summary is refused; null clears it", async () => {
  await using window = await TestWsClient.connect(server.wsUrl);
  const threadId = await threadOnSmallBudget(window, { windowId: "edit-summary", budget: 300 });
  for (let turn = 0; turn < 6; turn += 1) await chat(window, threadId, `turn ${turn}: ${"a long message about the quarterly invoices ".repeat(4)}`);
  type State = { values: { summary?: { text: string; message_count: number } | null } };
  const before = await window.call<State>("state.get", { thread_id: threadId });
  expect(before.values.summary?.message_count).toBeGreaterThan(0);
  const editSummary = (summary: unknown) =>
    fetch(`${server.url}/threads/${threadId}/state`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ values: { summary } }) });
  for (const bad of [42, "a plain string", { note: "no text" }, { text: "x", message_count: -1, through_message_id: null }]) {
    const response = await editSummary(bad);
    expect(response.status, JSON.stringify(bad)).toBe(400);
    expect(await response.json()).toMatchObject({ code: "invalid_request" });
  }
  expect(await window.call<State>("state.get", { thread_id: threadId })).toEqual(before);
  expect((await editSummary(null)).status).toBe(200);
  expect((await chat(window, threadId, `after the edit: ${"more words about the invoices ".repeat(4)}`)).final.event).toBe("run.completed");
  expect((await editSummary({ text: "the user talked about invoices", message_count: 3, through_message_id: null })).status).toBe(200);
  expect((await chat(window, threadId, "and now?")).final.event).toBe("run.completed");
});

it("a thread goes on after many failed runs (a provider outage left their user messages in the state without replies)", async () => {
  await using window = await TestWsClient.connect(server.wsUrl);
  const threadId = await threadOnSmallBudget(window, { windowId: "outage", budget: 400 });
  expect((await chat(window, threadId, "hello")).final.event).toBe("run.completed");
  for (let attempt = 0; attempt < 25; attempt += 1) {
    const failed = await chat(window, threadId, `/fail provider outage ${attempt}: a reminder sent while the model is down, about this long`);
    expect(failed.final.event).toBe("run.failed");
  }
  const back = await chat(window, threadId, "the provider is back: hello?");
  expect(back.final.event, JSON.stringify(back.final.data)).toBe("run.completed");
  const state = await window.call<{ values: { summary?: { message_count: number } } }>("state.get", { thread_id: threadId });
  expect(state.values.summary?.message_count).toBeGreaterThan(0);
});
