import { AIMessage, HumanMessage, ToolMessage } from "@langchain/core/messages";
import { tool } from "@langchain/core/tools";
import { END, type LangGraphRunnableConfig, MessagesAnnotation, START, StateGraph } from "@langchain/langgraph";
import { ToolNode } from "@langchain/langgraph/prebuilt";
import { z } from "zod";
import { describe, expect, it } from "vitest";
import { announceToolStart, TOOL_STARTED_KIND } from "../agent/tool-start.js";
import type { NewThreadEvent } from "../events/thread-event.js";
import type { NewTranscriptMessage, TranscriptMessage } from "../transcript/transcript-message.js";
import { runStreamModes } from "./run-stream-modes.js";
import { StreamTranslator } from "./stream-translator.js";

function recordingSink() {
  const appended: NewTranscriptMessage[][] = [];
  const events: NewThreadEvent[] = [];
  return {
    appended,
    events,
    emit: (event: NewThreadEvent) => void events.push(event),
    appendTranscript: (messages: NewTranscriptMessage[]) => {
      appended.push(messages);
      return Promise.resolve(messages.map((message, index) => ({ ...message, seq: index + 1 }) as unknown as TranscriptMessage));
    },
  };
}

describe("StreamTranslator", () => {
  it("does not append the run's input again when the graph's first update repeats it", async () => {
    const sink = recordingSink();
    const translator = new StreamTranslator(sink, { runId: "run-1", modelName: "fake" });
    translator.markCompleted(["user-1"]);
    await translator.handle("updates", { __start__: { messages: [new HumanMessage({ id: "user-1", content: "hi" })] } });
    expect(sink.appended.flat()).toEqual([]);
    await translator.handle("updates", { model: { messages: [new AIMessage({ id: "reply-1", content: "hello" })] } });
    expect(sink.appended.flat().map((message) => message.id)).toEqual(["reply-1"]);
  });
});

const CALLS = [
  { id: "call-a", name: "echo", args: { text: "a" }, type: "tool_call" as const },
  { id: "call-b", name: "echo", args: { text: "b" }, type: "tool_call" as const },
];

/** A model step asking for two calls, then `tools`; streamed as the runtime streams a run, into a translator. */
async function translate(tools: ToolNode | ((state: typeof MessagesAnnotation.State, config: LangGraphRunnableConfig) => Promise<unknown>)) {
  const graph = new StateGraph(MessagesAnnotation)
    .addNode("model", () => ({ messages: [new AIMessage({ id: "reply-1", content: "", tool_calls: CALLS })] }))
    .addNode("tools", tools)
    .addEdge(START, "model")
    .addEdge("model", "tools")
    .addEdge("tools", END)
    .compile();
  const sink = recordingSink();
  const translator = new StreamTranslator(sink, { runId: "run-1", modelName: "fake" });
  const modes = runStreamModes(graph);
  for await (const [mode, chunk] of await graph.stream({ messages: [] }, { streamMode: modes })) await translator.handle(mode, chunk);
  const translated = sink.events.map((event) => {
    if (event.event === "message.completed") return `completed ${event.data.message.role}`;
    if (event.event === "tool.started") return `started ${event.data.tool_call_id} ${JSON.stringify(event.data.args)}`;
    return `${event.event} ${(event.data as { tool_call_id?: string }).tool_call_id ?? ""}`.trim();
  });
  return [`modes ${modes.join(",")}`, ...translated];
}

describe("StreamTranslator: tool.started", () => {
  it("comes from the tools node when each tool begins, with the arguments it runs with, and not for a call that never runs", async () => {
    const events = await translate((_state, config) => {
      // call-a runs with other arguments (as after an edit); call-b never runs (as after a rejection).
      announceToolStart(config, { tool_call_id: "call-a", name: "echo", args: { text: "edited" } });
      return Promise.resolve({ messages: CALLS.map((call) => new ToolMessage({ content: "x", tool_call_id: call.id, name: call.name })) });
    });
    expect(events).toEqual([
      "modes messages,updates,custom",
      "completed assistant",
      'started call-a {"text":"edited"}',
      "completed tool",
      "tool.completed call-a",
      "completed tool",
      "tool.completed call-b",
    ]);
  });

  it("comes from LangChain's tool callbacks for a graph using LangGraph's prebuilt ToolNode", async () => {
    const echo = tool(({ text }: { text: string }) => `echo ${text}`, { name: "echo", description: "Echoes.", schema: z.object({ text: z.string() }) });
    const events = await translate(new ToolNode([echo]));
    expect(events).toEqual([
      "modes messages,updates,custom,tools",
      "completed assistant",
      'started call-a {"text":"a"}',
      'started call-b {"text":"b"}',
      "completed tool",
      "tool.completed call-a",
      "completed tool",
      "tool.completed call-b",
    ]);
  });
});

describe("StreamTranslator: a tool's start in its result's row", () => {
  it("tells the transcript how long ago a started call's tool began, and nothing for a call that never started", async () => {
    const sink = recordingSink();
    const translator = new StreamTranslator(sink, { runId: "run-1", modelName: "fake" });
    await translator.handle("updates", { model: { messages: [new AIMessage({ id: "reply-1", content: "", tool_calls: CALLS })] } });
    await translator.handle("custom", { kind: TOOL_STARTED_KIND, tool_call_id: "call-a", name: "echo", args: {} });
    await new Promise((resolve) => setTimeout(resolve, 30));
    const results = CALLS.map((call) => new ToolMessage({ id: `result-${call.id}`, content: "x", tool_call_id: call.id, name: call.name }));
    await translator.handle("updates", { tools: { messages: results } });
    const [reply, started, never] = sink.appended.flat();
    expect(reply?.started_ms_ago).toBeUndefined();
    expect(started?.started_ms_ago).toBeGreaterThanOrEqual(25);
    expect(never?.tool_call_id).toBe("call-b");
    expect(never?.started_ms_ago).toBeUndefined();
  });
});

describe("StreamTranslator: custom", () => {
  it("turns a graph's own custom chunks into custom events, and a tools node's start announcements into tool.started only", async () => {
    const sink = recordingSink();
    const dropped: unknown[] = [];
    const translator = new StreamTranslator({ ...sink, dropChunk: (refusal) => void dropped.push(refusal) }, { runId: "run-1", modelName: "fake" });
    await translator.handle("custom", { stage: "search", progress: 0.5 });
    await translator.handle("custom", { kind: TOOL_STARTED_KIND, tool_call_id: "call-a", name: "echo", args: {} });
    await translator.handle("custom", { n: 1n });
    await translator.handle("custom", "done");
    expect(sink.events).toEqual([
      { event: "custom", data: { run_id: "run-1", data: { stage: "search", progress: 0.5 } } },
      { event: "tool.started", data: { tool_call_id: "call-a", name: "echo", args: {} } },
      { event: "custom", data: { run_id: "run-1", data: "done" } },
    ]);
    expect(dropped).toEqual([{ mode: "custom", reason: "unserialisable" }]);
  });
});

describe("StreamTranslator: subgraphs and the custom cap", () => {
  const NS = ["research:task-1"];

  it("keeps a subgraph's custom chunks with their namespace; stores its values, updates and messages only for stream_subgraphs", async () => {
    for (const subgraphs of [false, true]) {
      const sink = recordingSink();
      const translator = new StreamTranslator(sink, { runId: "run-1", modelName: "fake", subgraphs });
      await translator.handle("custom", { stage: "searching" }, NS);
      await translator.handle("updates", { search: { messages: [new AIMessage({ id: "sub-1", content: "inner" })] } }, NS);
      await translator.handle("values", { notes: ["found"] }, NS);
      await translator.handle("messages", [new AIMessage({ id: "sub-1", content: "inner" }), { langgraph_node: "summarize", thread_id: "not the client's" }], NS);
      await translator.handle("tools", { event: "on_tool_start", toolCallId: "call-x", name: "echo", input: {} }, NS);
      await translator.handle("values", { messages: [] });
      const stored = sink.events.filter((event) => event.event === "subgraph.streamed").map((event) => [event.data.mode, event.data.data]);
      expect(sink.events[0]).toEqual({ event: "custom", data: { run_id: "run-1", data: { stage: "searching" }, namespace: NS } });
      // Nothing of a subgraph reaches the transcript (nor tool.started from its tool callbacks); the root's values are not stored.
      expect(sink.appended).toEqual([]);
      expect(sink.events.filter((event) => event.event !== "custom" && event.event !== "subgraph.streamed")).toEqual([]);
      expect(stored).toEqual(
        subgraphs
          ? [
              ["updates", { search: { messages: [expect.objectContaining({ type: "ai", id: "sub-1", content: "inner" })] } }],
              ["values", { notes: ["found"] }],
              ["messages", [expect.objectContaining({ type: "ai", id: "sub-1" }), { langgraph_node: "summarize" }]],
            ]
          : [],
      );
    }
  });

  it("drops custom chunks past customEventsMax unread, telling it once; tool-start announcements are not counted", async () => {
    const sink = recordingSink();
    const dropped: unknown[] = [];
    const translator = new StreamTranslator({ ...sink, dropChunk: (refusal) => void dropped.push(refusal) }, { runId: "run-1", modelName: "fake", customEventsMax: 2 });
    await translator.handle("custom", { n: 1n });
    await translator.handle("custom", 1);
    await translator.handle("custom", { kind: TOOL_STARTED_KIND, tool_call_id: "call-a", name: "echo", args: {} });
    await translator.handle("custom", 2, NS);
    for (let index = 3; index < 100; index += 1) await translator.handle("custom", index);
    expect(sink.events.map((event) => [event.event, (event.data as { data?: unknown }).data])).toEqual([
      ["custom", 1],
      ["tool.started", undefined],
      ["custom", 2],
      ["custom.capped", undefined],
    ]);
    expect(sink.events.at(-1)).toEqual({ event: "custom.capped", data: { run_id: "run-1", limit: 2 } });
    expect(dropped).toEqual([{ mode: "custom", reason: "unserialisable" }, { mode: "custom", reason: "run_limit", limit: 2 }]);

    const none = recordingSink();
    const closed = new StreamTranslator(none, { runId: "run-1", modelName: "fake", customEventsMax: 0 });
    await closed.handle("custom", 1);
    await closed.handle("custom", 2);
    expect(none.events.map((event) => event.event)).toEqual(["custom.capped"]);
  });
});
