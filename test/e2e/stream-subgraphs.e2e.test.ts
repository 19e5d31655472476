import { describe, expect, it } from "vitest";
import { useGraphsTestServer } from "../helpers/graphs-test-server.js";
import { type Frame, TestWsClient } from "../helpers/ws-client.js";

// `stream_subgraphs` as LangGraph Platform streams it, through the official SDK: with it, a subgraph's output comes
// under event names carrying its namespace (`updates|research:<task id>`), in create streams and joins alike;
// without it, only the parent graph's output — and a subgraph's custom chunks as plain `custom` events, as LangGraph
// streams them. The graph: test/helpers/subgraph-graph.ts.

interface Part {
  id?: string;
  event: string;
  data: unknown;
}

const MODES = ["values", "updates", "messages-tuple", "custom"] as const;
const NAMESPACE = /^research:[0-9a-f-]{36}$/;
const INPUT = { messages: [{ role: "user", content: "look it up" }] };

const fixture = useGraphsTestServer("./subgraph-graphs.langgraph.json");

async function collect(parts: AsyncIterable<{ id?: unknown; event: string; data: unknown }>): Promise<Part[]> {
  const seen: Part[] = [];
  for await (const part of parts) seen.push(part as Part);
  return seen;
}

/** A run of `nested` streamed through the SDK on a new thread; its parts and its run id. */
async function streamNested(options: { streamSubgraphs?: boolean } = {}): Promise<{ threadId: string; runId: string; parts: Part[] }> {
  const thread = await fixture.sdk.threads.create({ graphId: "nested" });
  let runId = "";
  const parts = await collect(fixture.sdk.runs.stream(thread.thread_id, "nested", { input: INPUT, streamMode: [...MODES], ...options, onRunCreated: (meta) => void (runId = meta.run_id) }));
  return { threadId: thread.thread_id, runId, parts };
}

/** The subgraph's events, their namespace written `<ns>`; consecutive message pieces as one `messages|<ns>…`. */
function subgraphTimeline(parts: Part[]): string[] {
  const names = parts.filter((part) => part.event.includes("|")).map((part) => part.event.replace(/\|.*$/, "|<ns>"));
  return names.map((name) => (name === "messages|<ns>" ? "messages|<ns>…" : name)).filter((name, index, all) => name !== "messages|<ns>…" || all[index - 1] !== name);
}

function namespacesOf(parts: Part[]): string[] {
  return [...new Set(parts.filter((part) => part.event.includes("|")).map((part) => part.event.split("|").slice(1).join("|")))];
}

describe("stream_subgraphs: true", () => {
  it("streams the subgraph's values, updates, messages and custom chunks under `<mode>|<namespace>`, the parent's under plain names", async () => {
    const { parts } = await streamNested({ streamSubgraphs: true });
    expect(subgraphTimeline(parts)).toEqual(["values|<ns>", "custom|<ns>", "updates|<ns>", "values|<ns>", "messages|<ns>…", "updates|<ns>", "values|<ns>"]);
    const [namespace, ...others] = namespacesOf(parts);
    expect(others).toEqual([]);
    expect(namespace).toMatch(NAMESPACE);

    const of = (event: string) => parts.filter((part) => part.event === `${event}|${namespace}`).map((part) => part.data);
    expect(of("custom")).toEqual([{ stage: "searching" }]);
    expect(of("updates")[0]).toEqual({ search: { notes: ["found"] } });
    expect(of("updates")[1]).toEqual({ summarize: { messages: [expect.objectContaining({ type: "ai", content: "summary" })] } });
    // The subgraph's own state: its notes (which its parent never holds) and the messages it has.
    const finalValues = of("values").at(-1) as { notes: string[]; messages: { type: string; content: string }[] };
    expect(finalValues.notes).toEqual(["found"]);
    expect(finalValues.messages.map((message) => [message.type, message.content])).toEqual([["human", "look it up"], ["ai", "summary"]]);
    const tuples = of("messages") as [{ type: string; id: string; content: string }, Record<string, unknown>][];
    expect(tuples.map(([chunk]) => chunk.content).join("")).toBe("summary");
    expect(new Set(tuples.map(([chunk]) => `${chunk.type} ${chunk.id}`)).size).toBe(1);
    expect(tuples[0]?.[0].type).toBe("AIMessageChunk");
    expect(tuples[0]?.[1]).toMatchObject({ langgraph_node: "summarize", langgraph_checkpoint_ns: expect.stringMatching(/^research:/) as unknown, tags: expect.any(Array) as unknown });

    // The parent graph's own output keeps LangGraph's plain names.
    expect(parts.filter((part) => part.event === "custom").map((part) => part.data)).toEqual([{ stage: "responding" }]);
    expect(parts.at(-1)?.event).toBe("end");
    expect(parts.some((part) => part.event === "values")).toBe(true);
  });

  it("a join replays what the run's stream showed, and resumes after any id it sent", async () => {
    const { threadId, runId, parts } = await streamNested({ streamSubgraphs: true });
    expect(parts.filter((part) => part.event.includes("|")).length).toBeGreaterThan(5);
    const joined = await collect(fixture.sdk.runs.joinStream(threadId, runId, { streamMode: [...MODES] }));
    expect(joined).toEqual(parts);
    // Without stream_mode, a join streams the same four modes.
    expect((await collect(fixture.sdk.runs.joinStream(threadId, runId))).filter((part) => part.event.includes("|"))).toEqual(parts.filter((part) => part.event.includes("|")));

    const middle = parts.findIndex((part) => part.event.startsWith("updates|"));
    const resumed = await collect(fixture.sdk.runs.joinStream(threadId, runId, { streamMode: [...MODES], lastEventId: parts[middle]?.id }));
    expect(resumed).toEqual(parts.slice(middle + 1));
  });

  it("is honoured by a background run joined later, and by a stateless /runs/stream", async () => {
    const thread = await fixture.sdk.threads.create({ graphId: "nested" });
    const run = await fixture.sdk.runs.create(thread.thread_id, "nested", { input: INPUT, streamSubgraphs: true });
    const joined = await collect(fixture.sdk.runs.joinStream(thread.thread_id, run.run_id, { streamMode: ["updates", "custom"] }));
    expect(subgraphTimeline(joined)).toEqual(["custom|<ns>", "updates|<ns>", "updates|<ns>"]);

    const stateless = await collect(fixture.sdk.runs.stream(null, "nested", { input: INPUT, streamMode: ["custom"], streamSubgraphs: true }));
    expect(stateless.map((part) => part.event.replace(/\|.*$/, "|<ns>"))).toEqual(["metadata", "custom|<ns>", "custom", "end"]);
  });
});

describe("without stream_subgraphs", () => {
  it("streams only the parent graph's output; the subgraph's custom chunks come as plain custom events", async () => {
    for (const options of [{}, { streamSubgraphs: false }]) {
      const { parts } = await streamNested(options);
      expect(parts.filter((part) => part.event.includes("|"))).toEqual([]);
      expect(parts.filter((part) => part.event === "custom").map((part) => part.data)).toEqual([{ stage: "searching" }, { stage: "responding" }]);
      // Nothing of the subgraph's own state or steps: no notes, no `search` or `summarize` update.
      expect(JSON.stringify(parts)).not.toMatch(/"notes"|"search"|"summarize"/);
      expect(parts.at(-1)?.event).toBe("end");
    }
  });
});

describe("stored events", () => {
  it("custom events keep the subgraph's namespace (WebSocket, replayed with since); subgraph output is stored only for runs that asked", async () => {
    const flagged = await streamNested({ streamSubgraphs: true });
    const plain = await streamNested();
    await using client = await TestWsClient.connect(fixture.server.wsUrl);
    for (const { threadId, runId } of [flagged, plain]) {
      await client.call("subscription.subscribe", { thread_id: threadId, since: 0 });
      await client.waitFor((frame) => frame.event === "run.completed" && frame.run_id === runId);
    }
    const eventsOf = (runId: string, name: string) => client.frames.filter((frame: Frame) => frame.run_id === runId && frame.event === name).map((frame) => frame.data);
    for (const { runId } of [flagged, plain]) {
      const [searching, responding] = eventsOf(runId, "custom") as { namespace?: string[] }[];
      expect(searching).toEqual({ run_id: runId, data: { stage: "searching" }, namespace: [expect.stringMatching(NAMESPACE)] });
      expect(responding).toEqual({ run_id: runId, data: { stage: "responding" } });
    }
    const stored = eventsOf(flagged.runId, "subgraph.streamed") as { mode: string; namespace: string[] }[];
    expect([...new Set(stored.map((event) => event.mode))].sort()).toEqual(["messages", "updates", "values"]);
    expect(stored.every((event) => NAMESPACE.test(event.namespace.join("|")))).toBe(true);
    expect(eventsOf(plain.runId, "subgraph.streamed")).toEqual([]);
    // The transcript is the parent graph's conversation: the subgraph's reply reached it through the parent's state.
    const messages = await fixture.sdk.threads.getState<{ messages: { content: string }[] }>(plain.threadId);
    expect(messages.values.messages.map((message) => message.content)).toEqual(["look it up", "summary", "done"]);
  });

  it("over WebSocket too: run.start with stream_subgraphs stores the subgraph's output as subgraph.streamed; without it, none", async () => {
    await using client = await TestWsClient.connect(fixture.server.wsUrl);
    const runOn = async (options: { stream_subgraphs?: boolean }) => {
      const { thread_id: threadId } = await client.call<{ thread_id: string }>("thread.open", { assistant_id: "nested" });
      const { run_id: runId } = await client.call<{ run_id: string }>("run.start", { thread_id: threadId, input: INPUT, ...options });
      await client.waitFor((frame) => frame.event === "run.completed" && frame.run_id === runId);
      return client.frames.filter((frame: Frame) => frame.run_id === runId && frame.event === "subgraph.streamed").map((frame) => frame.data as { mode: string; namespace: string[] });
    };
    const flagged = await runOn({ stream_subgraphs: true });
    expect([...new Set(flagged.map((event) => event.mode))].sort()).toEqual(["messages", "updates", "values"]);
    expect(flagged.every((event) => NAMESPACE.test(event.namespace.join("|")))).toBe(true);
    expect(await runOn({})).toEqual([]);
    expect(await runOn({ stream_subgraphs: false })).toEqual([]);
    // A value that is not a boolean is refused before anything is created.
    const { thread_id: threadId } = await client.call<{ thread_id: string }>("thread.open", { assistant_id: "nested" });
    expect((await client.callError("run.start", { thread_id: threadId, input: INPUT, stream_subgraphs: "yes" })).code).toBe("invalid_request");
  });
});
