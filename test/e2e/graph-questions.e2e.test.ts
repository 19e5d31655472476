import { describe, expect, it } from "vitest";
import { LOCAL_USER } from "../../src/auth/user.js";
import { useGraphsTestServer } from "../helpers/graphs-test-server.js";
import { TestWsClient } from "../helpers/ws-client.js";

// A developer's graph that calls LangGraph's `interrupt()` itself (test/helpers/question-graph.ts) stops its run as
// `interrupted`, like a tool approval: the thread says so, the SDK sees `__interrupt__`, and the question is answered
// with any JSON value — over WS (`input.respond`) or with `command.resume` over HTTP.

const QUESTION = { question: "Are you sure?", options: ["yes", "no"] };
const INPUT = { messages: [{ role: "user", content: "go" }] };

const fixture = useGraphsTestServer("./question-graphs.langgraph.json");

describe("a graph's own interrupt()", () => {
  it("over HTTP: the run and the thread are interrupted, wait carries __interrupt__, command.resume answers it", async () => {
    const thread = await fixture.sdk.threads.create({ graphId: "ask" });
    const waited = (await fixture.sdk.runs.wait(thread.thread_id, "ask", { input: INPUT, raiseError: false })) as { __interrupt__?: { id: string; value: unknown }[] };
    expect(waited.__interrupt__).toEqual([{ id: expect.any(String) as string, value: QUESTION }]);
    const [run] = await fixture.sdk.runs.list(thread.thread_id);
    expect(run?.status).toBe("interrupted");
    expect((await fixture.sdk.threads.get(thread.thread_id)).status).toBe("interrupted");
    expect((await fixture.sdk.threads.search({ status: "interrupted" })).map((found) => found.thread_id)).toContain(thread.thread_id);

    // A copy of the waiting thread waits on the same question, and says so.
    const copy = await fixture.sdk.threads.copy(thread.thread_id);
    expect(copy.status).toBe("interrupted");
    expect(Object.values(copy.interrupts).flat()).toEqual([{ id: expect.any(String) as string, value: QUESTION }]);

    const answered = (await fixture.sdk.runs.wait(thread.thread_id, "ask", { command: { resume: "yes" } })) as { messages: { content: string }[] };
    expect(answered.messages.at(-1)?.content).toBe('You answered: "yes"');
    expect((await fixture.sdk.threads.get(thread.thread_id)).status).toBe("idle");
  });

  it("a state edit that answers the question in its node's place frees the thread; one that leaves a node to run marks it interrupted", async () => {
    const thread = await fixture.sdk.threads.create({ graphId: "ask" });
    await fixture.sdk.runs.wait(thread.thread_id, "ask", { input: INPUT, raiseError: false });
    expect((await fixture.sdk.threads.get(thread.thread_id)).status).toBe("interrupted");
    await fixture.sdk.threads.updateState(thread.thread_id, { values: { messages: [{ role: "assistant", content: "answered by hand", id: "by-hand" }] }, asNode: "ask" });
    const state = await fixture.sdk.threads.getState(thread.thread_id);
    expect(state.next).toEqual([]);
    expect(state.tasks).toEqual([]);
    // It stayed interrupted, and the search for waiting threads still found it.
    expect((await fixture.sdk.threads.get(thread.thread_id)).status).toBe("idle");
    expect((await fixture.sdk.threads.search({ status: "interrupted" })).map((found) => found.thread_id)).not.toContain(thread.thread_id);

    // As LangGraph Platform: an edit after which a node is left to run leaves the thread interrupted.
    await fixture.sdk.threads.updateState(thread.thread_id, { values: { messages: [{ role: "user", content: "again", id: "again" }] }, asNode: "__start__" });
    expect((await fixture.sdk.threads.getState(thread.thread_id)).next).toEqual(["ask"]);
    expect((await fixture.sdk.threads.get(thread.thread_id)).status).toBe("interrupted");
  });

  it("the values stream ends with the question, and the updates stream carries it, as LangGraph Platform streams them", async () => {
    const thread = await fixture.sdk.threads.create({ graphId: "ask" });
    let last: unknown;
    for await (const part of fixture.sdk.runs.stream(thread.thread_id, "ask", { input: INPUT, streamMode: "values" })) if (part.event === "values") last = part.data;
    expect((last as { __interrupt__?: unknown[] }).__interrupt__).toEqual([{ id: expect.any(String) as string, value: QUESTION }]);
    const other = await fixture.sdk.threads.create({ graphId: "ask" });
    const updates: unknown[] = [];
    for await (const part of fixture.sdk.runs.stream(other.thread_id, "ask", { input: INPUT, streamMode: "updates" })) if (part.event === "updates") updates.push(part.data);
    expect(updates).toEqual([{ __interrupt__: [{ id: expect.any(String) as string, value: QUESTION }] }]);
  });

  it("over WS: run.interrupted carries the question; input.respond answers it with any JSON value, and checks it", async () => {
    await using client = await TestWsClient.connect(fixture.server.wsUrl);
    const { thread_id } = await client.call<{ thread_id: string }>("thread.open", { assistant_id: "ask" });
    const { run_id } = await client.call<{ run_id: string }>("run.start", { thread_id, input: INPUT });
    const stopped = await client.waitForEvent("run.interrupted", { run_id });
    const [pending] = (stopped.data as { interrupts: { id: string; kind: string; value: unknown }[] }).interrupts;
    expect(pending).toEqual({ id: expect.any(String) as string, kind: "question", value: QUESTION });
    const state = await client.call<{ interrupts: unknown[] }>("state.get", { thread_id });
    expect(state.interrupts).toEqual([pending]);

    // An approval's shape is not asked of a question's answer; a missing value is refused, and nothing runs.
    const missing = await client.callError("input.respond", { thread_id, interrupt_id: pending?.id });
    expect(missing.code).toBe("invalid_request");
    const unknownId = await client.callError("input.respond", { thread_id, interrupt_id: "no-such-question", value: "yes" });
    expect(unknownId.code).toBe("not_found");

    const answer = { choice: "no", note: "不要" };
    const resumed = await client.call<{ run_id: string }>("input.respond", { thread_id, interrupt_id: pending?.id, value: answer });
    const completed = await client.waitForEvent("run.completed", { run_id: resumed.run_id });
    expect(completed.event).toBe("run.completed");
    const messages = await client.call<{ messages: { role: string; content: string }[] }>("messages.list", { thread_id });
    // The graph got the value itself (key order is not kept: the run stores its command as JSON).
    expect(JSON.parse(messages.messages.at(-1)?.content.replace("You answered: ", "") ?? "null")).toEqual(answer);
    expect((await client.call<{ interrupts: unknown[] }>("state.get", { thread_id })).interrupts).toEqual([]);
  });
});

describe("several questions", () => {
  type Waited = { __interrupt__?: { id: string; value: unknown }[]; messages?: { content: string }[] };
  const resume = async (threadId: string, graphId: string, answer: unknown) => fixture.sdk.runs.wait(threadId, graphId, { command: { resume: answer }, raiseError: false }) as Promise<Waited>;

  it("asked at once: an answered one is no longer pending anywhere, and the other is answered on its own", async () => {
    const thread = await fixture.sdk.threads.create({ graphId: "pair" });
    const asked = (await fixture.sdk.runs.wait(thread.thread_id, "pair", { input: INPUT, raiseError: false })) as Waited;
    const byValue = new Map((asked.__interrupt__ ?? []).map((pending) => [pending.value, pending.id]));
    expect([...byValue.keys()].sort()).toEqual(["left?", "right?"]);
    const leftId = byValue.get("left?") ?? "";

    const afterLeft = await resume(thread.thread_id, "pair", { [leftId]: "L" });
    expect(afterLeft.__interrupt__?.map((pending) => pending.value)).toEqual(["right?"]);
    expect(Object.values((await fixture.sdk.threads.get(thread.thread_id)).interrupts).flat().map((pending) => (pending as { value: unknown }).value)).toEqual(["right?"]);
    expect((await fixture.server.services.threadState.get(LOCAL_USER.id, thread.thread_id)).interrupts.map((pending) => (pending as { value: unknown }).value)).toEqual(["right?"]);
    // Answering the answered one again is refused (it started a run that did nothing, the answer dropped).
    await expect(resume(thread.thread_id, "pair", { [leftId]: "again" })).rejects.toThrow(/404/);
    // One question left: a bare answer goes to it.
    const done = await resume(thread.thread_id, "pair", "R");
    expect(done.messages?.map((message) => message.content).sort()).toEqual(["go", 'left: "L"', 'right: "R"']);
  });

  it("asked at once: both answered in one run, as LangGraph's {resume: {<id>: value, …}}; a key not pending refuses the whole answer", async () => {
    const thread = await fixture.sdk.threads.create({ graphId: "pair" });
    const asked = (await fixture.sdk.runs.wait(thread.thread_id, "pair", { input: INPUT, raiseError: false })) as Waited;
    const byValue = new Map((asked.__interrupt__ ?? []).map((pending) => [pending.value, pending.id]));
    const leftId = byValue.get("left?") ?? "";
    const rightId = byValue.get("right?") ?? "";
    // One pending key beside one that is not (a retried or mistyped id): 404, nothing runs, both still wait.
    await expect(resume(thread.thread_id, "pair", { [leftId]: "L", ["0".repeat(32)]: "?" })).rejects.toThrow(/404/);
    expect(await fixture.sdk.runs.list(thread.thread_id)).toHaveLength(1);

    const done = await resume(thread.thread_id, "pair", { [leftId]: "L", [rightId]: { pick: "R" } });
    expect(done.__interrupt__).toBeUndefined();
    expect(done.messages?.map((message) => message.content).sort()).toEqual(["go", 'left: "L"', 'right: {"pick":"R"}']);
    const runs = await fixture.sdk.runs.list(thread.thread_id);
    expect(runs.map((run) => run.status)).toEqual(["success", "interrupted"]);
    expect((await fixture.sdk.threads.get(thread.thread_id)).status).toBe("idle");
    // Answered, both: answering either again is refused.
    await expect(resume(thread.thread_id, "pair", { [rightId]: "again" })).rejects.toThrow(/404/);
  });

  it("asked at once, over WS: input.respond answers both in one run with `others`; one answered twice is refused", async () => {
    await using client = await TestWsClient.connect(fixture.server.wsUrl);
    const { thread_id } = await client.call<{ thread_id: string }>("thread.open", { assistant_id: "pair" });
    const { run_id } = await client.call<{ run_id: string }>("run.start", { thread_id, input: INPUT });
    const stopped = await client.waitForEvent("run.interrupted", { run_id });
    const byValue = new Map((stopped.data as { interrupts: { id: string; value: unknown }[] }).interrupts.map((pending) => [pending.value, pending.id]));
    const leftId = byValue.get("left?") ?? "";
    const rightId = byValue.get("right?") ?? "";
    const twice = await client.callError("input.respond", { thread_id, interrupt_id: leftId, value: "L", others: [{ interrupt_id: leftId, value: "L2" }] });
    expect(twice.code).toBe("invalid_request");
    const notPending = await client.callError("input.respond", { thread_id, interrupt_id: leftId, value: "L", others: [{ interrupt_id: "no-such-question", value: "?" }] });
    expect(notPending.code).toBe("not_found");
    expect((await client.call<unknown[]>("run.list", { thread_id })).length).toBe(1);

    const resumed = await client.call<{ run_id: string }>("input.respond", { thread_id, interrupt_id: leftId, value: "L", others: [{ interrupt_id: rightId, value: { pick: "R" } }] });
    await client.waitForEvent("run.completed", { run_id: resumed.run_id });
    const messages = await client.call<{ messages: { content: string }[] }>("messages.list", { thread_id });
    expect(messages.messages.map((message) => message.content).sort()).toEqual(["go", 'left: "L"', 'right: {"pick":"R"}']);
    expect((await client.call<{ interrupts: unknown[] }>("state.get", { thread_id })).interrupts).toEqual([]);
  });

  it("asked in a row: a retried answer to the first is refused, not taken as the answer to the second", async () => {
    const thread = await fixture.sdk.threads.create({ graphId: "twice" });
    const asked = (await fixture.sdk.runs.wait(thread.thread_id, "twice", { input: INPUT, raiseError: false })) as Waited;
    const firstId = asked.__interrupt__?.[0]?.id ?? "";
    const afterFirst = await resume(thread.thread_id, "twice", { [firstId]: "A" });
    expect(afterFirst.__interrupt__?.map((pending) => pending.value)).toEqual(["second?"]);
    await expect(resume(thread.thread_id, "twice", { [firstId]: "A" })).rejects.toThrow(/404/);
    const done = await resume(thread.thread_id, "twice", "B");
    expect(done.messages?.at(-1)?.content).toBe('answers: ["A","B"]');
  });
});

describe("one question answered from two windows at once", () => {
  it("one answer runs; the other is told the question was already answered (it read thread_busy)", async () => {
    await using desktop = await TestWsClient.connect(fixture.server.wsUrl);
    await using phone = await TestWsClient.connect(fixture.server.wsUrl);
    const { thread_id } = await desktop.call<{ thread_id: string }>("thread.open", { assistant_id: "twice" });
    const { run_id } = await desktop.call<{ run_id: string }>("run.start", { thread_id, input: INPUT });
    const [pending] = ((await desktop.waitForEvent("run.interrupted", { run_id })).data as { interrupts: { id: string }[] }).interrupts;
    const answer = (client: TestWsClient, value: string) => client.call("input.respond", { thread_id, interrupt_id: pending?.id, value });
    const outcomes = await Promise.allSettled([answer(desktop, "from the desktop"), answer(phone, "from the phone")]);
    expect(outcomes.filter((outcome) => outcome.status === "fulfilled")).toHaveLength(1);
    const lost = outcomes.find((outcome) => outcome.status === "rejected");
    expect(((lost as PromiseRejectedResult).reason as { frame: { code: string; message: string } }).frame).toMatchObject({ code: "conflict", message: "This interrupt was already answered" });
  });
});
