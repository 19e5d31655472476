import { describe, expect, it } from "vitest";
import { LOCAL_USER } from "../../src/auth/user.js";
import { useGraphsTestServer } from "../helpers/graphs-test-server.js";
import { TestWsClient } from "../helpers/ws-client.js";
import { requestJson } from "./http-runs-support.js";

// A run's input is the graph's input state, as on LangGraph Platform: a developer's graph without messages
// (test/helpers/topic-graph.ts: `topic` in, `joke` out) takes its own keys; keys the graph does not have, and
// messages for a graph without a messages channel, are refused (400) — LangGraph would drop them without a word.

const fixture = useGraphsTestServer("./topic-graphs.langgraph.json");

async function post(path: string, body: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  return requestJson<Record<string, unknown>>(fixture.server.url, { method: "POST", path, body });
}

describe("run input for a graph's own state", () => {
  it("a graph without messages gets its own keys: wait answers its output, the run keeps the input as given", async () => {
    const thread = await fixture.sdk.threads.create({ graphId: "topic" });
    const values = await fixture.sdk.runs.wait(thread.thread_id, "topic", { input: { topic: "cats" } });
    expect(values).toEqual({ topic: "cats", joke: "A joke about cats" });
    // Titled from the first text of its input, as a chat is from its first message (it stayed untitled).
    const titled = await fixture.server.services.sessions.get(LOCAL_USER.id, thread.thread_id);
    expect(titled.title).toBe("cats");
    const [run] = await fixture.sdk.runs.list(thread.thread_id);
    expect(run?.status).toBe("success");
    expect((run as unknown as { kwargs: { input: unknown } }).kwargs.input).toEqual({ topic: "cats" });
    // A second run on the same thread with a new topic.
    expect(await fixture.sdk.runs.wait(thread.thread_id, "topic", { input: { topic: "猫" } })).toEqual({ topic: "猫", joke: "A joke about 猫" });
    // Stateless too.
    expect(await fixture.sdk.runs.wait(null, "topic", { input: { topic: "dogs" } })).toEqual({ topic: "dogs", joke: "A joke about dogs" });
  });

  it("over WebSocket too: run.start takes the graph's own keys as input.values (it took messages only)", async () => {
    await using client = await TestWsClient.connect(fixture.server.wsUrl);
    const { thread_id: threadId } = await client.call<{ thread_id: string }>("thread.open", { assistant_id: "topic" });
    const { run_id: runId } = await client.call<{ run_id: string }>("run.start", { thread_id: threadId, input: { values: { topic: "owls" } } });
    await client.waitForEvent("run.completed", { run_id: runId }, 15_000);
    const state = await client.call<{ values: Record<string, unknown> }>("state.get", { thread_id: threadId });
    expect(state.values).toEqual({ topic: "owls", joke: "A joke about owls" });
    const refusals = [
      [{ values: { colour: "red" } }, /input names what graph topic does not have: colour/],
      [{ messages: [{ role: "user", content: "owls" }] }, /Graph topic has no messages channel/],
      [{ values: {} }, /input needs messages or values/],
      [{ values: { messages: [] } }, /messages go in input.messages/],
    ] as const;
    for (const [input, message] of refusals) {
      const refused = await client.callError("run.start", { thread_id: threadId, input });
      expect(refused.code, JSON.stringify(input)).toBe("invalid_request");
      expect(refused.message).toMatch(message);
    }
    expect(await fixture.sdk.runs.list(threadId)).toHaveLength(1);
  });

  it("refuses what the graph does not have, and creates no run", async () => {
    const thread = await fixture.sdk.threads.create({ graphId: "topic" });
    const messages = await post(`/threads/${thread.thread_id}/runs/wait`, { assistant_id: "topic", input: { messages: [{ role: "user", content: "cats" }] } });
    expect(messages).toMatchObject({ status: 400, body: { code: "invalid_request", message: "Graph topic has no messages channel: its input keys are topic, joke" } });
    const unknown = await post(`/threads/${thread.thread_id}/runs/wait`, { assistant_id: "topic", input: { topic: "cats", colour: "red" } });
    expect(unknown).toMatchObject({ status: 400, body: { code: "invalid_request", message: "input names what graph topic does not have: colour (its input keys are topic, joke)" } });
    expect(await fixture.sdk.runs.list(thread.thread_id)).toEqual([]);
    // A command carrying nothing is no command (it started a run with nothing to do).
    const empty = await post(`/threads/${thread.thread_id}/runs/wait`, { assistant_id: "topic", command: {} });
    expect(empty).toMatchObject({ status: 400, body: { code: "invalid_request", message: "command must carry resume (the answer to the interrupt it resumes)" } });
    expect(await fixture.sdk.runs.list(thread.thread_id)).toEqual([]);
  });

  it("keys of the state that the graph's input schema leaves out are refused (LangGraph dropped them silently)", async () => {
    const thread = await fixture.sdk.threads.create({ graphId: "narrow-input" });
    const refused = await post(`/threads/${thread.thread_id}/runs/wait`, { assistant_id: "narrow-input", input: { question: "q", answer: "preset" } });
    expect(refused).toMatchObject({ status: 400, body: { code: "invalid_request", message: "input names what graph narrow-input does not have: answer (its input keys are question)" } });
    expect(await fixture.sdk.runs.wait(thread.thread_id, "narrow-input", { input: { question: "q" } })).toMatchObject({ question: "q", answer: "A:q" });
  });

  it("a state edit naming keys the graph does not have is refused, as run input is (LangGraph drops them silently)", async () => {
    const thread = await fixture.sdk.threads.create({ graphId: "topic" });
    await fixture.sdk.runs.wait(thread.thread_id, "topic", { input: { topic: "cats" } });
    await expect(fixture.sdk.threads.updateState(thread.thread_id, { values: { bogus: "x" } })).rejects.toThrow(/values name what this thread's graph does not have: bogus/);
    await fixture.sdk.threads.updateState(thread.thread_id, { values: { topic: "dogs" } });
    expect((await fixture.sdk.threads.getState(thread.thread_id)).values).toMatchObject({ topic: "dogs" });
  });

  it("the chat graph: other keys it does not have and an ill-shaped summary are refused; an empty message list is too", async () => {
    const thread = await fixture.sdk.threads.create({ graphId: "chat" });
    const files = await post(`/threads/${thread.thread_id}/runs`, { assistant_id: "chat", input: { messages: [{ role: "user", content: "hi" }], files: ["a.txt"] } });
    expect(files).toMatchObject({ status: 400, body: { code: "invalid_request" } });
    expect(String(files.body.message)).toContain("input names what graph chat does not have: files");
    const summary = await post(`/threads/${thread.thread_id}/runs`, { assistant_id: "chat", input: { messages: [{ role: "user", content: "hi" }], summary: "not an object" } });
    expect(summary).toMatchObject({ status: 400, body: { code: "invalid_request" } });
    const empty = await post(`/threads/${thread.thread_id}/runs`, { assistant_id: "chat", input: { messages: [] } });
    expect(empty).toMatchObject({ status: 400, body: { code: "invalid_request", message: "input.messages must hold 1 to 20 user messages (leave it out, or send input null, to give none)" } });
    expect(await fixture.sdk.runs.list(thread.thread_id)).toEqual([]);
  });
});

describe("an empty input", () => {
  it("{} runs the graph from START, on a fresh thread and again after (it did nothing); null continues, with nothing left to run", async () => {
    const thread = await fixture.sdk.threads.create({ graphId: "counter" });
    expect(await post(`/threads/${thread.thread_id}/runs/wait`, { assistant_id: "counter", input: {} })).toMatchObject({ status: 200, body: { count: 1 } });
    expect((await fixture.sdk.threads.getHistory(thread.thread_id)).length).toBeGreaterThan(0);
    expect(await post(`/threads/${thread.thread_id}/runs/wait`, { assistant_id: "counter", input: {} })).toMatchObject({ status: 200, body: { count: 2 } });
    expect(await post(`/threads/${thread.thread_id}/runs/wait`, { assistant_id: "counter", input: null })).toMatchObject({ status: 200, body: { count: 2 } });
    const runs = await fixture.sdk.runs.list(thread.thread_id);
    expect(runs.map((run) => (run as unknown as { kwargs: { input: unknown } }).kwargs.input)).toEqual([null, {}, {}]);
  });
});

describe("a run of another graph on a thread", () => {
  it("the thread follows the run's assistant: its state is read with that graph (the reply was invisible)", async () => {
    const thread = await fixture.sdk.threads.create({ graphId: "topic" });
    await fixture.sdk.runs.wait(thread.thread_id, "topic", { input: { topic: "cats" } });
    const chatted = (await fixture.sdk.runs.wait(thread.thread_id, "chat", { input: { messages: [{ role: "user", content: "hi there" }] } })) as { messages?: { content: string }[] };
    expect(chatted.messages?.map((message) => message.content)).toEqual(["hi there", "You said: hi there"]);
    expect((await fixture.sdk.threads.getState<{ messages: { content: string }[] }>(thread.thread_id)).values.messages.map((message) => message.content)).toEqual(["hi there", "You said: hi there"]);
    expect((await fixture.server.services.sessions.get(LOCAL_USER.id, thread.thread_id)).assistant_id).toBe("chat");
    // And back: the topic graph's keys show again.
    expect(await fixture.sdk.runs.wait(thread.thread_id, "topic", { input: { topic: "dogs" } })).toMatchObject({ topic: "dogs", joke: "A joke about dogs" });
    expect((await fixture.server.services.sessions.get(LOCAL_USER.id, thread.thread_id)).assistant_id).toBe("topic");
  });
});

describe("streams of a developer's graph name its nodes", () => {
  async function collect(parts: AsyncIterable<{ event: string; data: unknown }>): Promise<{ event: string; data: unknown }[]> {
    const seen: { event: string; data: unknown }[] = [];
    for await (const part of parts) seen.push({ event: part.event, data: part.data });
    return seen;
  }

  it("updates carry each node's own update, other state keys included; values end with them", async () => {
    const thread = await fixture.sdk.threads.create({ graphId: "topic" });
    const parts = await collect(fixture.sdk.runs.stream(thread.thread_id, "topic", { input: { topic: "cats" }, streamMode: ["updates", "values"] }));
    expect(parts.filter((part) => part.event === "updates").map((part) => part.data)).toEqual([{ write: { joke: "A joke about cats" } }]);
    // As LangGraph's: first the state with the input, then after each step.
    expect(parts.filter((part) => part.event === "values").map((part) => part.data)).toEqual([{ topic: "cats" }, { topic: "cats", joke: "A joke about cats" }]);
    // A second run starts from the state the first left, with its input over it.
    const second = await collect(fixture.sdk.runs.stream(thread.thread_id, "topic", { input: { topic: "dogs" }, streamMode: "values" }));
    expect(second.filter((part) => part.event === "values").map((part) => part.data)).toEqual([{ topic: "dogs", joke: "A joke about cats" }, { topic: "dogs", joke: "A joke about dogs" }]);
  });

  it("a thread's first values hold its channels' defaults, as LangGraph's do (a reducer's initial value)", async () => {
    const thread = await fixture.sdk.threads.create({ graphId: "counter" });
    const parts = await collect(fixture.sdk.runs.stream(thread.thread_id, "counter", { input: { topic: "x" }, streamMode: "values" }));
    expect(parts.filter((part) => part.event === "values").map((part) => part.data)).toEqual([{ topic: "x", count: 0 }, { topic: "x", count: 1 }]);
  });

  it("messages and updates name the node that wrote each message (they all said `model`)", async () => {
    const thread = await fixture.sdk.threads.create({ graphId: "two-step" });
    const parts = await collect(fixture.sdk.runs.stream(thread.thread_id, "two-step", { input: { messages: [{ role: "user", content: "hi" }] }, streamMode: ["updates", "messages-tuple"] }));
    const updates = parts.filter((part) => part.event === "updates").map((part) => Object.keys(part.data as object));
    expect(updates).toEqual([["greet"], ["second"]]);
    const nodes = parts.filter((part) => part.event === "messages").map((part) => (part.data as [unknown, { langgraph_node: string }])[1].langgraph_node);
    expect(nodes).toEqual(["greet", "second"]);
  });

  it("the chat graph streams as before: model and tools", async () => {
    const thread = await fixture.sdk.threads.create({ graphId: "chat" });
    const input = { messages: [{ role: "user", content: '/tool calculator {"expression":"6*7"}' }] };
    const parts = await collect(fixture.sdk.runs.stream(thread.thread_id, "chat", { input, streamMode: ["updates"] }));
    expect(parts.filter((part) => part.event === "updates").map((part) => Object.keys(part.data as object))).toEqual([["model"], ["tools"], ["model"]]);
  });
});

describe("a developer's graph configured through its assistant", () => {
  it("gets the assistant's own context keys (they were dropped), and a run's context overrides them", async () => {
    const assistant = await fixture.sdk.assistants.create({ graphId: "greeter", name: "French", context: { greeting: "Bonjour", temperature: 0 } });
    expect(assistant.context).toEqual({ greeting: "Bonjour", temperature: 0 });
    expect((await fixture.sdk.assistants.get(assistant.assistant_id)).context).toEqual({ greeting: "Bonjour", temperature: 0 });
    const thread = await fixture.sdk.threads.create({ graphId: "greeter" });
    const reply = async (options: { context?: Record<string, unknown> } = {}) =>
      ((await fixture.sdk.runs.wait(thread.thread_id, assistant.assistant_id, { input: { messages: [{ role: "user", content: "hi" }] }, ...options })) as { messages: { content: string }[] }).messages.at(-1)?.content;
    expect(await reply()).toBe("Bonjour");
    expect(await reply({ context: { greeting: "Hola" } })).toBe("Hola");
    // Threadline's own settings are still checked: a bad value is refused, whatever else the context holds.
    await expect(fixture.sdk.assistants.create({ graphId: "greeter", context: { greeting: "Hi", temperature: "hot" } })).rejects.toThrow(/400/);
  });
});

describe("a developer's graph that declares a context schema", () => {
  const hi = { input: { messages: [{ role: "user", content: "hi" }] } };

  it("its keys are checked when an assistant is saved: a key it does not take (a typo) or a value it refuses is 400", async () => {
    const formal = await fixture.sdk.assistants.create({ graphId: "tone", context: { tone: "formal", signature: "Ada" } });
    const thread = await fixture.sdk.threads.create({ graphId: "tone" });
    const reply = (await fixture.sdk.runs.wait(thread.thread_id, formal.assistant_id, hi)) as { messages: { content: string }[] };
    expect(reply.messages.at(-1)?.content).toBe("Good day. — Ada");

    await expect(fixture.sdk.assistants.create({ graphId: "tone", context: { tone: "formal", signatrue: "Ada" } })).rejects.toThrow(/takes no context key signatrue/);
    await expect(fixture.sdk.assistants.create({ graphId: "tone", context: { tone: "shouty" } })).rejects.toThrow(/400/);
    await expect(fixture.sdk.assistants.update(formal.assistant_id, { context: { signature: "x".repeat(21) } })).rejects.toThrow(/400/);
    expect((await fixture.sdk.assistants.get(formal.assistant_id)).context).toEqual({ tone: "formal", signature: "Ada" });
    // An update merges into the settings; a key given as null is removed.
    const unsigned = await fixture.sdk.assistants.update(formal.assistant_id, { context: { signature: null, temperature: 0.5 } });
    expect(unsigned.context).toEqual({ tone: "formal", temperature: 0.5 });
    // A graph without a declared schema still takes any keys (the greeter's).
    await fixture.sdk.assistants.create({ graphId: "greeter", context: { greeting: "Hi", anything: 1 } });
    // The chat graph declares no keys of its own: a typo in its settings is refused, not kept.
    await expect(fixture.sdk.assistants.create({ graphId: "chat", context: { temprature: 0.2 } })).rejects.toThrow(/takes no context key temprature/);
  });

  it("a run's context: a value the schema refuses is 400 before anything is created; keys it does not take are ignored, as LangGraph does", async () => {
    const casual = await fixture.sdk.assistants.create({ graphId: "tone", context: { tone: "casual" } });
    const thread = await fixture.sdk.threads.create({ graphId: "tone" });
    await expect(fixture.sdk.runs.wait(thread.thread_id, casual.assistant_id, { ...hi, context: { tone: "shouty" } })).rejects.toThrow(/400/);
    expect(await fixture.sdk.runs.list(thread.thread_id)).toEqual([]);
    const reply = (await fixture.sdk.runs.wait(thread.thread_id, casual.assistant_id, { ...hi, context: { signature: "Bo", user_id: "u-1" } })) as { messages: { content: string }[] };
    expect(reply.messages.at(-1)?.content).toBe("Hey! — Bo");
  });

  it("its schema's keys join Threadline's settings in the assistant's context_schema (LangGraph Studio's form)", async () => {
    const schemas = await fixture.sdk.assistants.getSchemas("tone");
    const properties = (schemas.context_schema as { properties: Record<string, { enum?: string[] }> }).properties;
    expect(properties.tone?.enum).toEqual(["formal", "casual"]);
    expect(Object.keys(properties)).toEqual(expect.arrayContaining(["model", "temperature", "tone", "signature"]));
    const plain = await fixture.sdk.assistants.getSchemas("greeter");
    expect(Object.keys((plain.context_schema as { properties: object }).properties)).not.toContain("tone");
  });
});

describe("a graph factory", () => {
  it("is called for each run with the run's thread, assistant, graph and user ids and the assistant's settings, as on LangGraph Platform", async () => {
    const assistant = await fixture.sdk.assistants.create({ graphId: "factory", context: { greeting: "hej" } });
    const thread = await fixture.sdk.threads.create({ graphId: "factory" });
    const values = (await fixture.sdk.runs.wait(thread.thread_id, assistant.assistant_id, { input: { messages: [{ role: "user", content: "who am I?" }] } })) as { messages: { content: string }[] };
    expect(JSON.parse(values.messages.at(-1)?.content ?? "{}")).toEqual({
      threadId: thread.thread_id,
      assistantId: assistant.assistant_id,
      graphId: "factory",
      userId: LOCAL_USER.id,
      hasRunId: true,
      greeting: "hej",
    });
  });
});

describe("a cron of a developer's graph", () => {
  it("sends the graph's own keys as each firing's input; keys the graph does not have are refused when saved", async () => {
    const thread = await fixture.sdk.threads.create({ graphId: "topic" });
    await expect(fixture.sdk.crons.createForThread(thread.thread_id, "topic", { schedule: "0 9 * * *", input: { colour: "red" } })).rejects.toThrow(/400/);
    const cron = await fixture.sdk.crons.createForThread(thread.thread_id, "topic", { schedule: "*/2 * * * * *", input: { topic: "cron" } });
    try {
      await expect.poll(async () => (await fixture.sdk.threads.getState(thread.thread_id)).values, { timeout: 20_000, interval: 250 }).toMatchObject({ topic: "cron", joke: "A joke about cron" });
    } finally {
      await fixture.sdk.crons.delete(cron.cron_id);
    }
  });
});
