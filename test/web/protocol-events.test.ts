import { describe, expect, expectTypeOf, it } from "vitest";
import type { EventDataByName as ServerEventData } from "../../src/events/thread-event.js";
import type { EventDataByName as PageEventData, EventFrame, TranscriptMessage } from "../../web/src/protocol/protocol-types.js";
import { buildTimeline } from "../../web/src/state/chat-timeline.js";
import { applyEvent, emptyThreadState, type ThreadState, toolCallView } from "../../web/src/state/thread-state.js";

// The page's hand-written event types (web/src/protocol/protocol-types.ts) against the server's, and what the events
// the page does not show do to it: nothing but the seq.

describe("the page's event types", () => {
  it("name every event the server stores, with the server's shape for the graph-stream ones", () => {
    // Checked by the type checker (tsc -p . covers test/): an event added to the server alone fails here.
    expectTypeOf<Exclude<keyof ServerEventData, keyof PageEventData>>().toEqualTypeOf<never>();
    expectTypeOf<PageEventData["custom"]>().toEqualTypeOf<ServerEventData["custom"]>();
    expectTypeOf<PageEventData["custom.capped"]>().toEqualTypeOf<ServerEventData["custom.capped"]>();
    expectTypeOf<PageEventData["state.updated"]>().toEqualTypeOf<ServerEventData["state.updated"]>();
    expectTypeOf<PageEventData["subgraph.streamed"]>().toEqualTypeOf<ServerEventData["subgraph.streamed"]>();
  });
});

let seq = 0;
function frame(event: string, data: unknown, runId: string | null = "run-1"): EventFrame {
  seq += 1;
  return { type: "event", thread_id: "t", run_id: runId, seq, event, data, created_at: new Date(1_700_000_000_000 + seq * 10).toISOString() };
}

const sum = { id: "call-s", name: "calculator", args: { expression: "6*7" } };
const clock = { id: "call-c", name: "get_time", args: {} };
const request: TranscriptMessage = { id: "m2", seq: 2, role: "assistant", content: "", tool_calls: [sum, clock], run_id: "run-1", created_at: "2026-01-01T00:00:00.000Z" };

/** A run mid-way: its question, a reply asking for two tools (the first running), and the next reply streaming. */
function midRun(): ThreadState {
  return [
    frame("run.started", { run_id: "run-1", kind: "chat" }),
    frame("message.completed", { message: { ...request, id: "m1", seq: 1, role: "user", content: "6*7 and the time?", tool_calls: undefined } }),
    frame("message.completed", { message: request }),
    frame("tool.started", { tool_call_id: sum.id, name: sum.name, args: sum.args }),
    frame("message.delta", { message_id: "m9", text: "Work" }),
  ].reduce(applyEvent, emptyThreadState());
}

/** What the chat shows: its rows and each tool card's state. */
function shown(state: ThreadState) {
  return { timeline: buildTimeline(state), tools: [sum, clock].map((call) => toolCallView(state, call, request).state) };
}

describe("events the page does not show", () => {
  it("leave the timeline, the streaming text and the tool cards as they were, whatever their data", () => {
    const before = midRun();
    const ignored = [
      frame("custom", { run_id: "run-1", data: { stage: "search", progress: 0.5 } }),
      frame("custom", { run_id: "run-1", data: { step: 1 }, namespace: ["research:1b4e", "search:77aa"] }),
      frame("custom.capped", { run_id: "run-1", limit: 10_000 }),
      frame("state.updated", { run_id: "run-1", node: "model", values: { summary: { text: "earlier", message_count: 4, through_message_id: "m1" } } }),
      frame("subgraph.streamed", { run_id: "run-1", namespace: ["research:1b4e"], mode: "values", data: { messages: [{ type: "ai", id: "m9", content: "not this" }] } }),
      frame("subgraph.streamed", { run_id: "run-1", namespace: ["research:1b4e"], mode: "updates", data: { tools: { messages: [{ type: "tool", tool_call_id: sum.id, content: "41" }] } } }),
      // A subgraph's model streaming a reply whose id is the one streaming in the chat: still not the chat's text.
      frame("subgraph.streamed", { run_id: "run-1", namespace: ["research:1b4e"], mode: "messages", data: [{ type: "AIMessageChunk", id: "m9", content: "sub" }, { langgraph_node: "model" }] }),
      // Events newer than this page, with or without data.
      frame("run.progressed", { run_id: "run-1", percent: 50 }),
      frame("thread.renamed", null, null),
    ];
    const after = ignored.reduce(applyEvent, before);
    expect(after).toEqual({ ...before, lastSeq: seq });
    expect(shown(after)).toEqual(shown(before));
    expect(shown(before).tools).toEqual(["running", "pending"]);

    // The run goes on as if nothing had come between: the streaming text grows, the tool completes, the run ends.
    const finished = [
      frame("message.delta", { message_id: "m9", text: "ing" }),
      frame("tool.completed", { tool_call_id: sum.id, name: sum.name, output: "42" }),
    ].reduce(applyEvent, after);
    expect(finished.streaming).toEqual([{ message_id: "m9", run_id: "run-1", text: "Working" }]);
    expect(shown(finished).tools).toEqual(["done", "pending"]);
  });
});
