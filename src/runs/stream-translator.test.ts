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

describe("StreamTranslator: custom", () => {
  it("turns a graph's own custom chunks into custom events, and a tools node's start announcements into tool.started only", async () => {
    const sink = recordingSink();
    const dropped: unknown[] = [];
    const translator = new StreamTranslator({ ...sink, dropCustom: (refusal) => void dropped.push(refusal) }, { runId: "run-1", modelName: "fake" });
    await translator.handle("custom", { stage: "search", progress: 0.5 });
    await translator.handle("custom", { kind: TOOL_STARTED_KIND, tool_call_id: "call-a", name: "echo", args: {} });
    await translator.handle("custom", { n: 1n });
    await translator.handle("custom", "done");
    expect(sink.events).toEqual([
      { event: "custom", data: { run_id: "run-1", data: { stage: "search", progress: 0.5 } } },
      { event: "tool.started", data: { tool_call_id: "call-a", name: "echo", args: {} } },
      { event: "custom", data: { run_id: "run-1", data: "done" } },
    ]);
    expect(dropped).toEqual([{ reason: "unserialisable" }]);
  });
});
