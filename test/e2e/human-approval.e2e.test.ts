import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TOOLS_WITH_SLOW_APPROVAL } from "../helpers/slow-tool.js";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database.js";
import { startTestServer } from "../helpers/test-server.js";
import { type Frame, TestWsClient } from "../helpers/ws-client.js";

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.drop();
});

const EMAIL = '/tool send_email {"to":"ada@example.com","subject":"Hello","body":"Meeting at 10?"}';

interface Interrupt {
  id: string;
  tool_call_id: string;
  name: string;
  args: Record<string, unknown>;
}

async function askForApproval(client: TestWsClient, threadId: string): Promise<{ runId: string; interrupt: Interrupt }> {
  const { run_id } = await client.call<{ run_id: string }>("run.start", { thread_id: threadId, input: { messages: [{ role: "user", content: EMAIL }] } });
  const interrupted = await client.waitForEvent("run.interrupted", { run_id });
  const interrupts = (interrupted.data as { interrupts: Interrupt[] }).interrupts;
  expect(interrupts).toHaveLength(1);
  // The model call that proposed the tool counts, as in run.completed.
  expect(interrupted.data).toMatchObject({ usage: { input_tokens: expect.any(Number) as number, output_tokens: expect.any(Number) as number } });
  return { runId: run_id, interrupt: interrupts[0] as Interrupt };
}

async function outbox(server: { services: { pool: { query: (sql: string, values: unknown[]) => Promise<{ rows: unknown[] }> } } }, threadId: string) {
  return (await server.services.pool.query("SELECT to_address, subject, body FROM outbox WHERE thread_id = $1 ORDER BY created_at", [threadId])).rows;
}

describe("run.start without input", () => {
  it("continues a reply paused at a static breakpoint; is refused where a question waits or nothing was left to run", async () => {
    await using server = await startTestServer({ databaseUrl: database.url });
    await using client = await TestWsClient.connect(server.wsUrl);
    const runsOf = async (threadId: string) => (await server.services.pool.query("SELECT 1 FROM runs WHERE thread_id = $1", [threadId])).rowCount;

    const fresh = (await client.call<{ thread_id: string }>("thread.open", {})).thread_id;
    const nothing = await client.callError("run.start", { thread_id: fresh });
    expect(nothing).toMatchObject({ code: "invalid_request" });
    expect(nothing.message).toMatch(/needs input/);
    expect(await runsOf(fresh)).toBe(0);

    const asking = (await client.call<{ thread_id: string }>("thread.open", {})).thread_id;
    await askForApproval(client, asking);
    const question = await client.callError("run.start", { thread_id: asking });
    expect(question).toMatchObject({ code: "invalid_request" });
    expect(question.message).toMatch(/input\.respond/);
    expect(await runsOf(asking)).toBe(1);

    // Arguments go with "edit", and only with it: the refusal says so (it said only the value's shape).
    const { interrupts } = await client.call<{ interrupts: Interrupt[] }>("state.get", { thread_id: asking });
    for (const value of [{ decision: "approve", args: { to: "x@example.com" } }, { decision: "edit" }]) {
      const refused = await client.callError("input.respond", { thread_id: asking, interrupt_id: interrupts[0]?.id, value });
      expect(refused).toMatchObject({ code: "invalid_request" });
      expect(refused.message).toContain('args are given with decision "edit", and only with it');
    }

    const paused = (await client.call<{ thread_id: string }>("thread.open", {})).thread_id;
    const response = await fetch(`${server.url}/threads/${paused}/runs/wait`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ input: { messages: [{ role: "user", content: '/tool calculator {"expression":"6*7"}' }] }, interrupt_before: ["tools"] }),
    });
    expect(response.status).toBe(200);
    // /wait answers its status at once; the body comes when the run has paused.
    expect(await response.json()).toMatchObject({ messages: expect.any(Array) as unknown });
    const { run_id } = await client.call<{ run_id: string }>("run.start", { thread_id: paused });
    const completed = await client.waitForEvent("run.completed", { run_id });
    expect(completed.thread_id).toBe(paused);
    const { messages } = await client.call<{ messages: { role: string; content: string }[] }>("messages.list", { thread_id: paused, limit: 10 });
    expect(messages.map((message) => message.role)).toEqual(["user", "assistant", "tool", "assistant"]);
    expect(messages[2]?.content).toBe("42");

    // While a reply runs, what it will leave to continue is not known: refused, nothing queued.
    await using slow = await startTestServer({ databaseUrl: database.url, env: { FAKE_CHUNK_DELAY_MS: 300 } });
    await using watcher = await TestWsClient.connect(slow.wsUrl);
    const busy = (await watcher.call<{ thread_id: string }>("thread.open", {})).thread_id;
    const running = await watcher.call<{ run_id: string }>("run.start", { thread_id: busy, input: { messages: [{ role: "user", content: "a reply long enough to stream in several slow chunks" }] } });
    expect(await watcher.callError("run.start", { thread_id: busy })).toMatchObject({ code: "thread_busy" });
    await watcher.waitForEvent("run.completed", { run_id: running.run_id });
    expect((await slow.services.pool.query("SELECT 1 FROM runs WHERE thread_id = $1", [busy])).rowCount).toBe(1);
  });
});

describe("human in the loop", () => {
  it("asks before send_email runs, survives a restart, and is answered from a second window (approve)", async () => {
    let threadId: string;
    let interrupt: Interrupt;
    {
      await using server = await startTestServer({ databaseUrl: database.url });
      await using desktop = await TestWsClient.connect(server.wsUrl);
      threadId = (await desktop.call<{ thread_id: string }>("thread.open", { window_id: "desktop" })).thread_id;
      ({ interrupt } = await askForApproval(desktop, threadId));
      expect(interrupt).toMatchObject({ name: "send_email", args: { to: "ada@example.com", subject: "Hello" } });
      expect(await outbox(server, threadId)).toEqual([]);
      expect((await desktop.call<{ status: string }>("thread.get", { thread_id: threadId })).status).toBe("interrupted");
      const state = await desktop.call<{ interrupts: Interrupt[]; next: string[] }>("state.get", { thread_id: threadId });
      expect(state.interrupts).toEqual([interrupt]);
      expect(state.next).toEqual(["tools"]);
    }

    await using restarted = await startTestServer({ databaseUrl: database.url });
    await using phone = await TestWsClient.connect(restarted.wsUrl);
    await phone.call("subscription.subscribe", { thread_id: threadId, since: 0 });
    const replayed = await phone.waitForEvent("run.interrupted", { thread_id: threadId });
    expect((replayed.data as { interrupts: Interrupt[] }).interrupts).toEqual([interrupt]);

    const { run_id } = await phone.call<{ run_id: string }>("input.respond", { thread_id: threadId, interrupt_id: interrupt.id, value: { decision: "approve" } });
    const completed = await phone.waitForEvent("run.completed", { run_id });
    expect(completed).toBeDefined();
    const toolResult = await phone.waitForEvent("tool.completed", { run_id });
    expect(toolResult.data).toMatchObject({ name: "send_email" });
    expect(toolResult.data?.error).toBeUndefined();
    expect(await outbox(restarted, threadId)).toEqual([{ to_address: "ada@example.com", subject: "Hello", body: "Meeting at 10?" }]);

    const again = await phone.callError("input.respond", { thread_id: threadId, interrupt_id: interrupt.id, value: { decision: "approve" } });
    expect(again.code).toBe("not_found");
    const decisions = await restarted.services.pool.query("SELECT decision, tool_name, user_id FROM approvals WHERE thread_id = $1", [threadId]);
    expect(decisions.rows).toEqual([{ decision: "approve", tool_name: "send_email", user_id: "local" }]);
    expect((await phone.call<{ status: string }>("thread.get", { thread_id: threadId })).status).toBe("idle");
  });

  it("edit runs the tool with the edited arguments; invalid edits are refused", async () => {
    await using server = await startTestServer({ databaseUrl: database.url });
    await using client = await TestWsClient.connect(server.wsUrl);
    const threadId = (await client.call<{ thread_id: string }>("thread.open", { window_id: "edit" })).thread_id;
    const { interrupt } = await askForApproval(client, threadId);
    const invalid = await client.callError("input.respond", {
      thread_id: threadId,
      interrupt_id: interrupt.id,
      value: { decision: "edit", args: { to: "not an email", subject: "x", body: "y" } },
    });
    expect(invalid.code).toBe("invalid_request");
    // The message names the field, for a client that prints only it (the terminal client).
    expect(invalid.message).toMatch(/^Edited arguments are not valid for send_email: to: /);
    // Answers that would run something other than what was meant: arguments with an approval (they would be
    // ignored), an edit without them, an argument the tool does not take (it would be dropped unseen).
    const ignored = [
      { decision: "approve", args: { to: "sneaky@example.com", subject: "Hello", body: "Meeting at 10?" } },
      { decision: "edit" },
      { decision: "edit", args: { to: "grace@example.com", subject: "Hello", body: "Meeting at 11.", cc: "boss@example.com" } },
    ];
    for (const value of ignored) {
      const refused = await client.callError("input.respond", { thread_id: threadId, interrupt_id: interrupt.id, value });
      expect(refused.code).toBe("invalid_request");
    }
    const { run_id } = await client.call<{ run_id: string }>("input.respond", {
      thread_id: threadId,
      interrupt_id: interrupt.id,
      value: { decision: "edit", args: { to: "grace@example.com", subject: "Hello", body: "Meeting at 11." } },
    });
    await client.waitForEvent("run.completed", { run_id });
    expect(await outbox(server, threadId)).toEqual([{ to_address: "grace@example.com", subject: "Hello", body: "Meeting at 11." }]);
    // Windows learn the arguments the tool ran with (the model's message still holds its own).
    const completed = await client.waitForEvent("tool.completed", { run_id });
    expect(completed.data?.args).toEqual({ to: "grace@example.com", subject: "Hello", body: "Meeting at 11." });
    // And so does a page loaded later: the tool's row records them, the assistant's keeps the model's call.
    const { messages } = await client.call<{ messages: { role: string; args?: unknown; tool_calls?: { args: unknown }[] }[] }>("messages.list", { thread_id: threadId });
    expect(messages.find((message) => message.role === "tool")?.args).toEqual({ to: "grace@example.com", subject: "Hello", body: "Meeting at 11." });
    expect(messages.find((message) => message.tool_calls)?.tool_calls?.[0]?.args).toMatchObject({ to: "ada@example.com" });
  });

  it("reject never runs the tool and tells the model why", async () => {
    await using server = await startTestServer({ databaseUrl: database.url });
    await using client = await TestWsClient.connect(server.wsUrl);
    const threadId = (await client.call<{ thread_id: string }>("thread.open", { window_id: "reject" })).thread_id;
    const { interrupt } = await askForApproval(client, threadId);
    // LangGraph clients read pending interrupts from the thread: task id → its interrupts.
    const thread = (await (await fetch(`${server.url}/threads/${threadId}`)).json()) as { status: string; interrupts: Record<string, { id: string }[]> };
    expect(thread.status).toBe("interrupted");
    expect(Object.values(thread.interrupts).flat().map((pending) => pending.id)).toEqual([interrupt.id]);
    // A fork waits for the same approval: its status says so.
    const latest = await client.call<{ checkpoint: { checkpoint_id: string } }>("state.get", { thread_id: threadId });
    const fork = await client.call<{ thread_id: string; status: string }>("state.fork", { thread_id: threadId, checkpoint_id: latest.checkpoint.checkpoint_id });
    expect(fork.status).toBe("interrupted");
    const { run_id } = await client.call<{ run_id: string }>("input.respond", {
      thread_id: threadId,
      interrupt_id: interrupt.id,
      value: { decision: "reject", reason: "wrong recipient" },
    });
    const toolResult: Frame = await client.waitForEvent("tool.completed", { run_id });
    expect(String(toolResult.data?.error)).toContain("rejected this call of send_email: wrong recipient");
    expect(toolResult.data?.rejected).toBe(true);
    await client.waitForEvent("run.completed", { run_id });
    expect(await outbox(server, threadId)).toEqual([]);
    const history = await client.call<{ messages: { role: string; content: string; status?: string }[] }>("messages.list", { thread_id: threadId });
    expect(history.messages.at(-1)?.content).toContain("rejected");
    // The transcript says the human rejected it (clients show "rejected", not "failed"); LangGraph's state keeps its
    // ToolMessage an error, as the model read it.
    expect(history.messages.filter((message) => message.role === "tool").map((message) => message.status)).toEqual(["rejected"]);
    const state = (await (await fetch(`${server.url}/threads/${threadId}/state`)).json()) as { values: { messages: { type: string; status?: string }[] } };
    expect(state.values.messages.filter((message) => message.type === "tool").map((message) => message.status)).toEqual(["error"]);
  });

  it("does not ask to approve arguments the tool would refuse: the model gets the error at once", async () => {
    await using server = await startTestServer({ databaseUrl: database.url });
    await using client = await TestWsClient.connect(server.wsUrl);
    const threadId = (await client.call<{ thread_id: string }>("thread.open", { window_id: "invalid-args" })).thread_id;
    const { run_id } = await client.call<{ run_id: string }>("run.start", {
      thread_id: threadId,
      input: { messages: [{ role: "user", content: '/tool send_email {"to":"your_email_address","subject":"Hi","body":"x"}' }] },
    });
    const final = await client.waitFor((frame) => frame.run_id === run_id && ["run.completed", "run.interrupted", "run.failed"].includes(frame.event ?? ""));
    expect(final.event).toBe("run.completed");
    const toolResult = await client.waitForEvent("tool.completed", { run_id });
    expect(String(toolResult.data?.error)).toMatch(/invalid arguments for send_email: to: /);
    expect(await outbox(server, threadId)).toEqual([]);
  });

  it("a new message instead of an answer closes the pending call as cancelled", async () => {
    await using server = await startTestServer({ databaseUrl: database.url });
    await using client = await TestWsClient.connect(server.wsUrl);
    const threadId = (await client.call<{ thread_id: string }>("thread.open", { window_id: "moved-on" })).thread_id;
    await askForApproval(client, threadId);
    const { run_id } = await client.call<{ run_id: string }>("run.start", { thread_id: threadId, input: { messages: [{ role: "user", content: "never mind" }] } });
    await client.waitForEvent("run.completed", { run_id });
    const state = await client.call<{ values: { messages: { type: string; content: string }[] }; interrupts: unknown[] }>("state.get", { thread_id: threadId });
    expect(state.interrupts).toEqual([]);
    expect(state.values.messages.map((message) => message.type)).toEqual(["human", "ai", "tool", "human", "ai"]);
    expect(await outbox(server, threadId)).toEqual([]);
    // The transcript and every window get the call's result too (after the new message: that is when it was written).
    const closed = await client.waitForEvent("tool.completed", { run_id });
    expect(closed.data).toMatchObject({ name: "send_email", error: "Error: this tool call was cancelled before it returned a result." });
    const history = await client.call<{ messages: { role: string; content: string }[] }>("messages.list", { thread_id: threadId });
    expect(history.messages.map((message) => message.role)).toEqual(["user", "assistant", "user", "tool", "assistant"]);
    const stateIds = new Set(state.values.messages.map((message) => (message as { id?: string }).id));
    expect(history.messages.every((message) => stateIds.has((message as { id?: string }).id))).toBe(true);
  });

  it("an approved call whose run stops with the server mid-tool runs on the next instance, without asking again", async () => {
    const slow = '/tool slow_approved_task {"ms":3000}';
    const settings = { databaseUrl: database.url, tools: TOOLS_WITH_SLOW_APPROVAL, env: { SHUTDOWN_GRACE_MS: 100, RUN_POLL_MS: 100 } };
    let threadId: string;
    let runId: string;
    {
      await using server = await startTestServer(settings);
      await using client = await TestWsClient.connect(server.wsUrl);
      threadId = (await client.call<{ thread_id: string }>("thread.open", {})).thread_id;
      const { run_id } = await client.call<{ run_id: string }>("run.start", { thread_id: threadId, input: { messages: [{ role: "user", content: slow }] } });
      const interrupted = await client.waitForEvent("run.interrupted", { run_id });
      const [interrupt] = (interrupted.data as { interrupts: Interrupt[] }).interrupts;
      runId = (await client.call<{ run_id: string }>("input.respond", { thread_id: threadId, interrupt_id: interrupt?.id, value: { decision: "approve" } })).run_id;
      await client.waitForEvent("run.started", { run_id: runId });
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    // The next instance takes the run over (its lease was handed back at shutdown) and carries out the decision.
    await using next = await startTestServer(settings);
    await using client = await TestWsClient.connect(next.wsUrl);
    await client.call("subscription.subscribe", { thread_id: threadId, since: 0 });
    const isFinal = (frame: Frame) => frame.run_id === runId && ["run.completed", "run.failed", "run.interrupted"].includes(frame.event ?? "");
    const final = await client.waitFor((frame) => isFinal(frame) && isAfterResumedStart(client, { threadId, runId }, frame), 20_000);
    expect(final.event).toBe("run.completed");
    const state = await client.call<{ interrupts: unknown[]; values: { messages: { type: string; content: string }[] } }>("state.get", { thread_id: threadId });
    expect(state.interrupts).toEqual([]);
    expect(state.values.messages.map((message) => message.type)).toEqual(["human", "ai", "tool", "ai"]);
    expect(state.values.messages[2]?.content).toBe("done after 3000 ms");
    expect((await client.call<{ status: string }>("thread.get", { thread_id: threadId })).status).toBe("idle");
  });

  it("an approved call's result records when its tool started, so a later reader times the tool and not the wait", async () => {
    await using server = await startTestServer({ databaseUrl: database.url, tools: TOOLS_WITH_SLOW_APPROVAL });
    await using client = await TestWsClient.connect(server.wsUrl);
    const threadId = (await client.call<{ thread_id: string }>("thread.open", {})).thread_id;
    const { run_id } = await client.call<{ run_id: string }>("run.start", { thread_id: threadId, input: { messages: [{ role: "user", content: '/tool slow_approved_task {"ms":300}' }] } });
    const interrupted = await client.waitForEvent("run.interrupted", { run_id });
    const [interrupt] = (interrupted.data as { interrupts: Interrupt[] }).interrupts;
    // The human takes longer than the tool: a duration counted from the request would be mostly this wait.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const approved = await client.call<{ run_id: string }>("input.respond", { thread_id: threadId, interrupt_id: interrupt?.id, value: { decision: "approve" } });
    await client.waitForEvent("run.completed", { run_id: approved.run_id });
    const started = await client.waitForEvent("tool.started", { run_id: approved.run_id });
    const { messages } = await client.call<{ messages: { role: string; created_at: string; started_at?: string }[] }>("messages.list", { thread_id: threadId });
    const result = messages.find((message) => message.role === "tool");
    const startedAt = Date.parse(result?.started_at ?? "");
    // The start its tool.started announced (both on the database's clock; the event is stored a moment after it).
    expect(Math.abs(startedAt - Date.parse(started.created_at ?? ""))).toBeLessThan(200);
    const ran = Date.parse(result?.created_at ?? "") - startedAt;
    expect(ran).toBeGreaterThanOrEqual(300);
    expect(ran).toBeLessThan(1000);
    // Only tool results carry it.
    expect(messages.filter((message) => message.started_at !== undefined).map((message) => message.role)).toEqual(["tool"]);

    // A call that never ran (rejected) has no start to record.
    const second = await client.call<{ run_id: string }>("run.start", { thread_id: threadId, input: { messages: [{ role: "user", content: EMAIL }] } });
    const asked = await client.waitForEvent("run.interrupted", { run_id: second.run_id });
    const [question] = (asked.data as { interrupts: Interrupt[] }).interrupts;
    const rejected = await client.call<{ run_id: string }>("input.respond", { thread_id: threadId, interrupt_id: question?.id, value: { decision: "reject" } });
    await client.waitForEvent("run.completed", { run_id: rejected.run_id });
    const after = await client.call<{ messages: { role: string; run_id: string | null; started_at?: string }[] }>("messages.list", { thread_id: threadId });
    const rejectedResult = after.messages.find((message) => message.role === "tool" && message.run_id === rejected.run_id);
    expect(rejectedResult).toBeDefined();
    expect(rejectedResult?.started_at).toBeUndefined();
  });

  it("an answer whose run was cancelled before the tool finished leaves the question open, and it can be answered again", async () => {
    await using server = await startTestServer({ databaseUrl: database.url, tools: TOOLS_WITH_SLOW_APPROVAL });
    await using client = await TestWsClient.connect(server.wsUrl);
    const threadId = (await client.call<{ thread_id: string }>("thread.open", {})).thread_id;
    const { interrupt, approved } = await approveSlowCall(client, threadId);
    await client.call("run.cancel", { thread_id: threadId, run_id: approved.run_id });
    const stopped = await client.waitForEvent("run.failed", { run_id: approved.run_id });
    // The stop says the question is open again, and the thread waits on it (not idle): a page reloaded now shows it.
    expect(stopped.data).toMatchObject({ status: "cancelled", code: "cancelled", interrupts: [{ id: interrupt?.id, name: "slow_approved_task" }] });
    expect((await client.call<{ status: string }>("thread.get", { thread_id: threadId })).status).toBe("interrupted");
    const pending = await client.call<{ interrupts: Interrupt[] }>("state.get", { thread_id: threadId });
    expect(pending.interrupts.map((candidate) => candidate.id)).toEqual([interrupt?.id]);

    const rejected = await client.call<{ run_id: string }>("input.respond", { thread_id: threadId, interrupt_id: interrupt?.id, value: { decision: "reject", reason: "changed my mind" } });
    await client.waitForEvent("run.completed", { run_id: rejected.run_id });
    const state = await client.call<{ interrupts: unknown[]; values: { messages: { type: string; content: string }[] } }>("state.get", { thread_id: threadId });
    expect(state.interrupts).toEqual([]);
    expect(state.values.messages.at(2)?.content).toContain("changed my mind");
    const decisions = await server.services.pool.query<{ decision: string; superseded: boolean }>(
      "SELECT decision, superseded_at IS NOT NULL AS superseded FROM approvals WHERE thread_id = $1 ORDER BY decided_at",
      [threadId],
    );
    expect(decisions.rows).toEqual([{ decision: "approve", superseded: true }, { decision: "reject", superseded: false }]);
  });
});

describe("an answer's run stopped", () => {
  it("rolled back before its tool finished: the question is open again and the thread waits on it; a plain reply cancelled leaves it idle", async () => {
    await using server = await startTestServer({ databaseUrl: database.url, tools: TOOLS_WITH_SLOW_APPROVAL });
    await using client = await TestWsClient.connect(server.wsUrl);
    const threadId = (await client.call<{ thread_id: string }>("thread.open", {})).thread_id;
    const { interrupt, approved } = await approveSlowCall(client, threadId);
    await client.call("run.cancel", { thread_id: threadId, run_id: approved.run_id, action: "rollback" });
    const stopped = await client.waitForEvent("run.failed", { run_id: approved.run_id });
    expect(stopped.data).toMatchObject({ status: "cancelled", code: "rolled_back", interrupts: [{ id: interrupt?.id }] });
    // Every window hears it: the question's stop, the answer's run, then waiting again.
    const statuses = () => client.notices(threadId).filter((frame) => frame.notice === "thread.status").map((frame) => String(frame.status)).join(",");
    await expect.poll(statuses, { timeout: 5_000 }).toMatch(/interrupted,busy,interrupted$/);

    // A reply with no question behind it, cancelled: nothing is open, the thread is idle.
    const plain = (await client.call<{ thread_id: string }>("thread.open", { window_id: "plain" })).thread_id;
    const reply = await client.call<{ run_id: string }>("run.start", { thread_id: plain, input: { messages: [{ role: "user", content: '/tool slow_task {"ms":5000}' }] } });
    await client.waitForEvent("run.started", { run_id: reply.run_id });
    await client.call("run.cancel", { thread_id: plain, run_id: reply.run_id });
    const cancelled = await client.waitForEvent("run.failed", { run_id: reply.run_id });
    expect(cancelled.data).not.toHaveProperty("interrupts");
    expect((await client.call<{ status: string }>("thread.get", { thread_id: plain })).status).toBe("idle");
  });
});

describe("answers racing", () => {
  it("two windows answering at once: one answer runs, the other is told it was already answered", async () => {
    await using server = await startTestServer({ databaseUrl: database.url, tools: TOOLS_WITH_SLOW_APPROVAL });
    await using desktop = await TestWsClient.connect(server.wsUrl);
    await using phone = await TestWsClient.connect(server.wsUrl);
    const threadId = (await desktop.call<{ thread_id: string }>("thread.open", {})).thread_id;
    const { run_id } = await desktop.call<{ run_id: string }>("run.start", { thread_id: threadId, input: { messages: [{ role: "user", content: '/tool slow_approved_task {"ms":1500}' }] } });
    const interrupted = await desktop.waitForEvent("run.interrupted", { run_id });
    const [interrupt] = (interrupted.data as { interrupts: Interrupt[] }).interrupts;
    const answer = (client: TestWsClient, decision: string) => client.call("input.respond", { thread_id: threadId, interrupt_id: interrupt?.id, value: { decision } });
    const outcomes = await Promise.allSettled([answer(desktop, "approve"), answer(phone, "reject")]);
    expect(outcomes.filter((outcome) => outcome.status === "fulfilled")).toHaveLength(1);
    const lost = outcomes.find((outcome) => outcome.status === "rejected");
    expect(((lost as PromiseRejectedResult).reason as { frame: { code: string } }).frame.code).toBe("conflict");
  });
});

/** Ask for a 5-second call of `slow_approved_task`, approve it, and resolve once the answer's run has been running 300 ms. */
async function approveSlowCall(client: TestWsClient, threadId: string): Promise<{ interrupt: Interrupt | undefined; approved: { run_id: string } }> {
  const { run_id } = await client.call<{ run_id: string }>("run.start", { thread_id: threadId, input: { messages: [{ role: "user", content: '/tool slow_approved_task {"ms":5000}' }] } });
  const [interrupt] = ((await client.waitForEvent("run.interrupted", { run_id })).data as { interrupts: Interrupt[] }).interrupts;
  const approved = await client.call<{ run_id: string }>("input.respond", { thread_id: threadId, interrupt_id: interrupt?.id, value: { decision: "approve" } });
  await client.waitForEvent("run.started", { run_id: approved.run_id });
  await new Promise((resolve) => setTimeout(resolve, 300));
  return { interrupt, approved };
}

/** Whether `frame` comes after the run's latest `run.started` (the resumed attempt's), in the thread's replayed log. */
function isAfterResumedStart(client: TestWsClient, { threadId, runId }: { threadId: string; runId: string }, frame: Frame): boolean {
  const starts = client.events(threadId).filter((candidate) => candidate.run_id === runId && candidate.event === "run.started");
  const last = starts.at(-1);
  return starts.length >= 2 && last?.seq !== undefined && frame.seq !== undefined && frame.seq > last.seq;
}
