import type { Run } from "@langchain/langgraph-sdk";
import { describe, expect, it } from "vitest";
import { sdkUser } from "../helpers/sdk-user.js";
import { useSdkUsersServer } from "../helpers/sdk-users-server.js";

// The SDK calls that answered 404 before (counts, graph drawings and schemas, state metadata patches), through the
// official client against a real server, each for two users: alice's ids are unknown to bob.

const sdk = useSdkUsersServer();

/** A raw request as alice, for requests the SDK would never send. */
const request = (method: string, path: string, body?: unknown) => sdk.request(method, path, body);

async function expectError(response: Promise<Response>, status: number, code: string): Promise<void> {
  const answered = await response;
  expect(answered.status).toBe(status);
  expect(await answered.json()).toMatchObject({ code });
}

describe("threads.create({graphId})", () => {
  it("binds the thread to that graph's default assistant (the SDK sends it as metadata.graph_id)", async () => {
    // Carol's threads, so that alice's counts below stay hers alone.
    const { client: carol } = await sdkUser(sdk.server, "carol");
    const thread = await carol.threads.create({ graphId: "planner" });
    expect(thread.metadata).toMatchObject({ assistant_id: "planner", graph_id: "planner" });
    expect((await carol.threads.create()).metadata).toMatchObject({ assistant_id: "chat" });
    await expectError(request("POST", "/threads", { metadata: { graph_id: "no-such-graph" } }), 404, "not_found");
  });
});

describe("threads.count and assistants.count", () => {
  it("count the caller's threads with the search filters, all pages", async () => {
    for (let index = 0; index < 3; index += 1) await sdk.alice.threads.create({ metadata: { project: "count", index } });
    await sdk.alice.threads.create({ metadata: { project: "other" } });
    await sdk.bob.threads.create({ metadata: { project: "count" } });

    expect(await sdk.alice.threads.count({ metadata: { project: "count" } })).toBe(3);
    expect(await sdk.alice.threads.count()).toBe(4);
    expect(await sdk.alice.threads.count({ metadata: { project: "count" }, status: "idle" })).toBe(3);
    expect(await sdk.alice.threads.count({ status: "busy" })).toBe(0);
    expect(await sdk.bob.threads.count()).toBe(1);
    // The same filters as search: the count is the length of every page together.
    expect(await sdk.alice.threads.search({ metadata: { project: "count" }, limit: 100 })).toHaveLength(3);
  });

  it("count assistants as search lists them: the graph defaults and the caller's own", async () => {
    await sdk.alice.assistants.create({ graphId: "chat", name: "Travel planner", metadata: { team: "a" } });
    await sdk.alice.assistants.create({ graphId: "chat", name: "Code reviewer", metadata: { team: "a" } });
    await sdk.bob.assistants.create({ graphId: "chat", name: "Bob's travel helper", metadata: { team: "a" } });

    // Two graph defaults (chat, planner) and alice's two.
    expect(await sdk.alice.assistants.count()).toBe(4);
    expect(await sdk.alice.assistants.count({ graphId: "chat" })).toBe(3);
    expect(await sdk.alice.assistants.count({ graphId: "none" })).toBe(0);
    expect(await sdk.alice.assistants.count({ metadata: { team: "a" } })).toBe(2);
    expect(await sdk.alice.assistants.count({ name: "travel" })).toBe(1);
    expect(await sdk.bob.assistants.count()).toBe(3);
    expect(await sdk.bob.assistants.count({ name: "plan" })).toBe(1);
    // search honours `name` the same way (it used to ignore it).
    expect((await sdk.alice.assistants.search({ name: "TRAVEL" })).map((assistant) => assistant.name)).toEqual(["Travel planner"]);
    expect(await sdk.alice.assistants.count({ name: "%" })).toBe(0);
  });

  it("refuse malformed filters with 400 invalid_request", async () => {
    for (const [path, body] of [
      ["/threads/count", { status: "sleeping" }],
      ["/threads/count", { metadata: "project" }],
      ["/threads/count", { values: { messages: [] } }],
      ["/assistants/count", { graph_id: 7 }],
      ["/assistants/count", { metadata: [] }],
    ] as const) {
      await expectError(request("POST", path, body), 400, "invalid_request");
    }
  });
});

describe("assistants.getGraph, getSchemas and getSubgraphs", () => {
  it("draw the graph as LangGraph serialises it, subgraphs expanded with xray", async () => {
    const chat = await sdk.alice.assistants.getGraph("chat");
    expect(chat.nodes.map((node) => node.id)).toEqual(["__start__", "model", "tools", "__end__"]);
    expect(chat.edges).toContainEqual({ source: "model", target: "tools", conditional: true });
    expect(chat.edges).toContainEqual({ source: "__start__", target: "model", conditional: false });

    const planner = await sdk.alice.assistants.getGraph("planner");
    expect(planner.nodes.map((node) => node.id)).toEqual(["__start__", "research", "respond", "__end__"]);
    for (const xray of [true, 1]) {
      const expanded = await sdk.alice.assistants.getGraph("planner", { xray });
      expect(expanded.nodes.map((node) => node.id)).toEqual(["__start__", "research:search", "research:summarize", "respond", "__end__"]);
    }
    expect((await sdk.alice.assistants.getGraph("planner", { xray: false })).nodes).toHaveLength(4);
  });

  it("give the schemas LangGraph derives (zod state), null where it derives none (Annotation state), and the settings as context", async () => {
    const planner = await sdk.alice.assistants.getSchemas("planner");
    expect(planner.graph_id).toBe("planner");
    expect(planner.input_schema).toMatchObject({ type: "object", properties: { question: { type: "string", description: "what to plan" } } });
    expect(planner.state_schema).toMatchObject({ type: "object", required: ["question", "notes"] });
    expect(planner.output_schema).toMatchObject({ properties: { answer: { type: "string" } } });

    const chat = await sdk.alice.assistants.getSchemas("chat");
    expect(chat).toMatchObject({ graph_id: "chat", input_schema: null, output_schema: null, state_schema: null });
    expect(chat.context_schema).toMatchObject({ type: "object", properties: { model: { type: "string" }, tools: { type: "array" } } });
    expect(chat.config_schema).toEqual(chat.context_schema);
  });

  it("list subgraphs by namespace, with their schemas", async () => {
    const subgraphs = await sdk.alice.assistants.getSubgraphs("planner");
    expect(Object.keys(subgraphs)).toEqual(["research"]);
    expect(subgraphs.research?.input_schema).toMatchObject({ properties: { question: { type: "string" } } });
    expect(Object.keys(await sdk.alice.assistants.getSubgraphs("planner", { namespace: "research", recurse: true }))).toEqual(["research"]);
    expect(await sdk.alice.assistants.getSubgraphs("planner", { namespace: "elsewhere" })).toEqual({});
    expect(await sdk.alice.assistants.getSubgraphs("chat", { recurse: true })).toEqual({});
  });

  it("describe the caller's own assistants, and answer 404 for another user's or an unknown one", async () => {
    const own = await sdk.alice.assistants.create({ graphId: "planner", name: "alice's planner" });
    expect((await sdk.alice.assistants.getSchemas(own.assistant_id)).graph_id).toBe("planner");
    expect((await sdk.alice.assistants.getGraph(own.assistant_id)).nodes).toHaveLength(4);
    expect(Object.keys(await sdk.alice.assistants.getSubgraphs(own.assistant_id))).toEqual(["research"]);

    for (const id of [own.assistant_id, "00000000-0000-4000-8000-000000000000", "no-such-graph"]) {
      await expect(sdk.bob.assistants.getGraph(id)).rejects.toMatchObject({ status: 404 });
      await expect(sdk.bob.assistants.getSchemas(id)).rejects.toMatchObject({ status: 404 });
      await expect(sdk.bob.assistants.getSubgraphs(id)).rejects.toMatchObject({ status: 404 });
      await expect(sdk.bob.assistants.getSubgraphs(id, { namespace: "research" })).rejects.toMatchObject({ status: 404 });
    }
  });

  it("refuse malformed query parameters with 400 invalid_request", async () => {
    await expectError(request("GET", "/assistants/planner/graph?xray=maybe"), 400, "invalid_request");
    await expectError(request("GET", "/assistants/planner/graph?xray=-1"), 400, "invalid_request");
    await expectError(request("GET", "/assistants/planner/graph?xray=0x2"), 400, "invalid_request");
    await expectError(request("GET", "/assistants/planner/subgraphs?recurse=yes"), 400, "invalid_request");
  });
});

describe("threads.patchState", () => {
  const note = (content: string) => ({ messages: [{ role: "assistant", content }] });

  it("merges metadata into the newest checkpoint's, in place, and a run goes on from it", async () => {
    const thread = await sdk.alice.threads.create();
    await sdk.alice.threads.updateState(thread.thread_id, { values: note("first"), asNode: "model" });
    await sdk.alice.threads.updateState(thread.thread_id, { values: note("second"), asNode: "model" });
    const before = await sdk.alice.threads.getState(thread.thread_id);

    await sdk.alice.threads.patchState(thread.thread_id, { reviewed: true, reviewer: "ann" });
    await sdk.alice.threads.patchState({ configurable: { thread_id: thread.thread_id } }, { reviewer: "bea", tags: ["ok"] });

    const after = await sdk.alice.threads.getState(thread.thread_id);
    expect(after.checkpoint.checkpoint_id).toBe(before.checkpoint.checkpoint_id);
    expect(after.metadata).toMatchObject({ reviewed: true, reviewer: "bea", tags: ["ok"], source: "update", step: before.metadata?.step });
    const [, older] = await sdk.alice.threads.getHistory(thread.thread_id);
    expect(older?.metadata).not.toHaveProperty("reviewed");

    await sdk.alice.runs.wait(thread.thread_id, "chat", { input: { messages: [{ role: "human", content: "go on" }] } });
    const continued = await sdk.alice.threads.getState(thread.thread_id);
    expect(continued.checkpoint.checkpoint_id).not.toBe(before.checkpoint.checkpoint_id);
    expect(continued.metadata).not.toHaveProperty("reviewed");
    expect((continued.values as { messages: unknown[] }).messages.length).toBeGreaterThan(2);
  });

  it("patches the checkpoint the body names (checkpoint_id or checkpoint.checkpoint_id)", async () => {
    const thread = await sdk.alice.threads.create();
    await sdk.alice.threads.updateState(thread.thread_id, { values: note("first"), asNode: "model" });
    await sdk.alice.threads.updateState(thread.thread_id, { values: note("second"), asNode: "model" });
    const [newest, older] = await sdk.alice.threads.getHistory(thread.thread_id);
    const olderId = older?.checkpoint.checkpoint_id ?? undefined;
    expect((await request("PATCH", `/threads/${thread.thread_id}/state`, { metadata: { label: "v1" }, checkpoint_id: olderId })).status).toBe(204);
    expect((await request("PATCH", `/threads/${thread.thread_id}/state`, { metadata: { kept: 1 }, checkpoint: { checkpoint_id: olderId } })).status).toBe(204);
    expect((await sdk.alice.threads.getState(thread.thread_id, olderId)).metadata).toMatchObject({ label: "v1", kept: 1 });
    expect((await sdk.alice.threads.getState(thread.thread_id, newest?.checkpoint.checkpoint_id ?? undefined)).metadata).not.toHaveProperty("label");
  });

  it("answers 404 for another user's thread, an unknown thread, a thread without checkpoints and an unknown checkpoint", async () => {
    const thread = await sdk.alice.threads.create();
    await expect(sdk.alice.threads.patchState(thread.thread_id, { a: 1 })).rejects.toMatchObject({ status: 404 });
    await sdk.alice.threads.updateState(thread.thread_id, { values: note("first"), asNode: "model" });
    await expect(sdk.bob.threads.patchState(thread.thread_id, { stolen: true })).rejects.toMatchObject({ status: 404 });
    await expect(sdk.alice.threads.patchState("00000000-0000-4000-8000-000000000000", { a: 1 })).rejects.toMatchObject({ status: 404 });
    await expectError(request("PATCH", "/threads/not-a-uuid/state", { metadata: { a: 1 } }), 404, "not_found");
    await expectError(request("PATCH", `/threads/${thread.thread_id}/state`, { metadata: { a: 1 }, checkpoint_id: "1f000000-0000-6000-8000-000000000000" }), 404, "not_found");
    expect((await sdk.alice.threads.getState(thread.thread_id)).metadata).not.toHaveProperty("stolen");
  });

  it("refuses malformed metadata, keys LangGraph and retention read, and serialized-object shapes with 400", async () => {
    const thread = await sdk.alice.threads.create();
    await sdk.alice.threads.updateState(thread.thread_id, { values: note("first"), asNode: "model" });
    for (const body of [{}, { metadata: [] }, { metadata: "x" }, { metadata: { step: 99 } }, { metadata: { run_id: "r" } }, { metadata: { source: "input" } }, { metadata: { nested: [{ lc: 1, type: "constructor", id: ["x"] }] } }]) {
      await expectError(request("PATCH", `/threads/${thread.thread_id}/state`, body), 400, "invalid_request");
    }
    expect((await sdk.alice.threads.getState(thread.thread_id)).metadata).toMatchObject({ source: "update" });
  });
});

describe("runs.joinStream(null, runId): GET /runs/{run_id}/stream", () => {
  type Part = { event: string; data: unknown; id?: string };
  const human = (content: string) => ({ messages: [{ role: "human", content }] });
  // Raw: the SDK's types offer `onCompletion: "complete" | "continue"`, where LangGraph's API (and Threadline) take "keep".
  const keptStatelessRun = async (content: string) => (await (await request("POST", "/runs", { assistant_id: "chat", input: human(content), on_completion: "keep" })).json()) as Run;
  const collect = async (parts: AsyncIterable<Part>): Promise<Part[]> => {
    const seen: Part[] = [];
    for await (const part of parts) seen.push(part);
    return seen;
  };

  it("streams a stateless run, and any run of the caller's by its id alone, as the thread's join stream does", async () => {
    const thread = await sdk.alice.threads.create();
    const stateless = await keptStatelessRun("no thread");
    const threaded = await sdk.alice.runs.create(thread.thread_id, "chat", { input: human("on a thread") });
    for (const run of [stateless, threaded]) {
      await sdk.alice.runs.join(run.thread_id, run.run_id);
      const scoped = await collect(sdk.alice.runs.joinStream(run.thread_id, run.run_id));
      expect(scoped[0]?.event).toBe("metadata");
      expect(scoped.at(-1)?.event).toBe("end");
      expect(await collect(sdk.alice.runs.joinStream(null, run.run_id))).toEqual(scoped);
      // Resumed after an event, with stream modes: the same as the thread's route again.
      const options = { lastEventId: scoped[1]?.id, streamMode: ["values", "updates"] as ("values" | "updates")[] };
      const resumed = await collect(sdk.alice.runs.joinStream(null, run.run_id, options));
      expect(resumed).toEqual(await collect(sdk.alice.runs.joinStream(run.thread_id, run.run_id, options)));
      expect(resumed.length).toBeGreaterThan(0);
      expect(resumed.map((part) => part.event)).not.toContain("metadata");
    }
  });

  it("answers 404 for another user's run, an unknown run and an id that is no UUID; a bad Last-Event-ID is 400", async () => {
    const run = await keptStatelessRun("mine");
    await expect(collect(sdk.bob.runs.joinStream(null, run.run_id))).rejects.toMatchObject({ status: 404 });
    await expectError(request("GET", "/runs/00000000-0000-4000-8000-000000000000/stream"), 404, "not_found");
    await expectError(request("GET", "/runs/not-a-uuid/stream"), 404, "not_found");
    await sdk.alice.runs.join(run.thread_id, run.run_id);
    const lastEventId = (await fetch(`${sdk.server.url}/runs/${run.run_id}/stream`, { headers: { Authorization: `Bearer ${sdk.aliceKey}`, "Last-Event-ID": "nonsense" } })).status;
    expect(lastEventId).toBe(400);
  });
});

describe("threads.getState tasks[].error", () => {
  it("is the error's message, a string as the SDK types it (null when the task did not fail), in every state answer", async () => {
    const thread = await sdk.alice.threads.create();
    await expect(sdk.alice.runs.wait(thread.thread_id, "chat", { input: { messages: [{ role: "human", content: "/fail the model broke" }] } })).rejects.toThrow(/the model broke/);
    const state = await sdk.alice.threads.getState(thread.thread_id);
    expect(state.tasks).toEqual([expect.objectContaining({ name: "model", error: expect.stringContaining("the model broke") as string })]);
    const checkpointId = state.checkpoint.checkpoint_id ?? undefined;
    const answers = [
      (await sdk.alice.threads.getState(thread.thread_id, checkpointId)).tasks,
      (await sdk.alice.threads.getState(thread.thread_id, state.checkpoint)).tasks,
      (await sdk.alice.threads.getHistory(thread.thread_id, { limit: 1 }))[0]?.tasks,
      (await (await request("GET", `/threads/${thread.thread_id}/state?select=tasks`)).json() as { tasks: unknown }).tasks,
    ];
    for (const tasks of answers) expect(tasks).toEqual(state.tasks);

    // A task that did not fail (the input checkpoint's, before the model ran) has error null, as LangGraph Platform sends.
    const [, input] = await sdk.alice.threads.getHistory(thread.thread_id, { limit: 2 });
    expect(input?.tasks.map((task) => task.error)).toEqual([null]);
  });
});
