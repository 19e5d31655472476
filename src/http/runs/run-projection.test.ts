import { describe, expect, it } from "vitest";
import type { NewThreadEvent, ThreadEvent } from "../../events/thread-event.js";
import type { TranscriptMessage } from "../../transcript/transcript-message.js";
import { type ProjectedEvent, RunProjection } from "./run-projection.js";
import type { StreamMode } from "./stream-modes.js";

const RUN = { run_id: "run-1", thread_id: "thread-1", assistant_id: "chat" };
const ALL_MODES: StreamMode[] = ["values", "updates", "messages-tuple", "messages", "tools"];

function message(fields: Partial<TranscriptMessage> & Pick<TranscriptMessage, "id" | "role" | "content">): TranscriptMessage {
  return { seq: 1, run_id: RUN.run_id, created_at: "", ...fields };
}

function sequence(events: NewThreadEvent[]): ThreadEvent[] {
  return events.map((event, index) => ({ ...event, thread_id: RUN.thread_id, run_id: RUN.run_id, seq: index + 1, created_at: "" }));
}

async function project(events: ThreadEvent[], options: { modes?: StreamMode[]; base?: Record<string, unknown>; subgraphs?: boolean } = {}): Promise<ProjectedEvent[][]> {
  let loads = 0;
  const projection = new RunProjection({
    modes: options.modes ?? ALL_MODES,
    run: RUN,
    subgraphs: options.subgraphs ?? false,
    loadBase: () => {
      loads += 1;
      return Promise.resolve(options.base ?? {});
    },
  });
  const out: ProjectedEvent[][] = [];
  for (const event of events) out.push(await projection.project(event));
  expect(loads).toBeLessThanOrEqual(1);
  return out;
}

const toolRun = sequence([
  { event: "run.started", data: { run_id: RUN.run_id, assistant_id: "chat", attempt: 1, resumed: false, kind: "chat", checkpoint_id: null } },
  { event: "message.completed", data: { message: message({ id: "u1", role: "user", content: "sum them" }) } },
  { event: "message.completed", data: { message: message({ id: "a1", role: "assistant", content: "", tool_calls: [{ id: "c1", name: "calculator", args: { expression: "1+1" } }, { id: "c2", name: "calculator", args: { expression: "2+2" } }] }) } },
  { event: "tool.started", data: { tool_call_id: "c1", name: "calculator", args: { expression: "1+1" } } },
  { event: "tool.started", data: { tool_call_id: "c2", name: "calculator", args: { expression: "2+2" } } },
  { event: "message.completed", data: { message: message({ id: "t1", role: "tool", content: "2", tool_call_id: "c1", name: "calculator", status: "success" }) } },
  { event: "tool.completed", data: { tool_call_id: "c1", name: "calculator", output: "2" } },
  { event: "message.completed", data: { message: message({ id: "t2", role: "tool", content: "4", tool_call_id: "c2", name: "calculator", status: "success" }) } },
  { event: "tool.completed", data: { tool_call_id: "c2", name: "calculator", output: "4" } },
  { event: "message.delta", data: { message_id: "a2", text: "2 and " } },
  { event: "message.delta", data: { message_id: "a2", text: "4" } },
  { event: "message.completed", data: { message: message({ id: "a2", role: "assistant", content: "2 and 4" }) } },
  { event: "run.completed", data: { run_id: RUN.run_id, status: "success", usage: null } },
]);

describe("RunProjection", () => {
  it("maps a tool-calling run onto LangGraph's modes, one tools step for both results", async () => {
    const out = await project(toolRun, { modes: ["values", "updates", "messages-tuple"] });
    expect(out.map((events) => events.map((event) => event.event))).toEqual([
      [],
      ["values"],
      ["messages", "updates", "values"],
      [],
      [],
      [],
      [],
      ["messages", "messages", "updates", "values"],
      [],
      ["messages"],
      ["messages"],
      ["updates", "values"],
      ["end"],
    ]);
    const toolsUpdate = out[7]?.[2]?.data as { tools: { messages: { id: string }[] } };
    expect(toolsUpdate.tools.messages.map((entry) => entry.id)).toEqual(["t1", "t2"]);
    const finalValues = out[11]?.[1]?.data as { messages: { type: string }[] };
    expect(finalValues.messages.map((entry) => entry.type)).toEqual(["human", "ai", "tool", "tool", "ai"]);
    const callChunk = out[2]?.[0]?.data as [{ type: string; tool_call_chunks: unknown[] }, { langgraph_node: string }];
    expect(callChunk[0].type).toBe("AIMessageChunk");
    expect(callChunk[0].tool_call_chunks).toHaveLength(2);
    expect(callChunk[1].langgraph_node).toBe("model");
  });

  it("tools mode: a call starts when its tool.started says so, and a call that never ran neither starts nor ends", async () => {
    const rejected = sequence([
      { event: "message.completed", data: { message: message({ id: "a1", role: "assistant", content: "", tool_calls: [{ id: "c1", name: "send_email", args: {} }, { id: "c2", name: "calculator", args: { expression: "1+1" } }] }) } },
      { event: "tool.started", data: { tool_call_id: "c2", name: "calculator", args: { expression: "1+1" } } },
      { event: "message.completed", data: { message: message({ id: "t1", role: "tool", content: "Error: rejected", tool_call_id: "c1", name: "send_email", status: "error" }) } },
      { event: "tool.completed", data: { tool_call_id: "c1", name: "send_email", output: "Error: rejected", error: "Error: rejected" } },
      { event: "message.completed", data: { message: message({ id: "t2", role: "tool", content: "2", tool_call_id: "c2", name: "calculator", status: "success" }) } },
      { event: "tool.completed", data: { tool_call_id: "c2", name: "calculator", output: "2" } },
    ]);
    const out = (await project(rejected, { modes: ["tools"] })).flat();
    expect(out).toEqual([
      { event: "tools", data: { event: "on_tool_start", toolCallId: "c2", name: "calculator", input: { expression: "1+1" } } },
      { event: "tools", data: { event: "on_tool_end", toolCallId: "c2", name: "calculator", output: "2" } },
    ]);
  });

  it("is deterministic: projecting the same events twice gives the same stream", async () => {
    expect(await project(toolRun)).toEqual(await project(toolRun));
  });

  it("a resumed approval continues the base's open tool call, and an interrupt ends with __interrupt__", async () => {
    const base = {
      messages: [
        { type: "human", id: "u1", content: "mail it" },
        { type: "ai", id: "a1", content: "", tool_calls: [{ id: "c1", name: "send_email", args: {} }] },
      ],
    };
    const resumed = sequence([
      { event: "run.started", data: { run_id: RUN.run_id, assistant_id: "chat", attempt: 1, resumed: false, kind: "chat", checkpoint_id: null } },
      { event: "message.completed", data: { message: message({ id: "t1", role: "tool", content: "sent", tool_call_id: "c1", name: "send_email" }) } },
      { event: "run.interrupted", data: { run_id: RUN.run_id, status: "interrupted", interrupts: [{ id: "i9", tool_call_id: "c2", name: "send_email", args: { to: "x" } }], usage: null } },
    ]);
    const out = await project(resumed, { modes: ["values", "updates"], base });
    expect(out[1]?.map((event) => event.event)).toEqual(["updates", "values"]);
    const asked = [{ id: "i9", value: { kind: "tool_approval", tool_call_id: "c2", name: "send_email", args: { to: "x" } } }];
    expect(out[2]).toEqual([
      // As LangGraph streams a stop for a human: in updates too.
      { event: "updates", data: { __interrupt__: asked } },
      { event: "values", data: { messages: [...base.messages, expect.objectContaining({ id: "t1" })], __interrupt__: asked } },
      { event: "end", data: { run_id: RUN.run_id, status: "interrupted" } },
    ]);
  });

  it("removed messages leave the values; failures end with error, rollbacks with end: rollback", async () => {
    const events = sequence([
      { event: "message.completed", data: { message: message({ id: "u1", role: "user", content: "hi" }) } },
      { event: "messages.removed", data: { run_id: RUN.run_id, message_ids: ["u1"] } },
      { event: "run.failed", data: { run_id: RUN.run_id, status: "cancelled", code: "rolled_back", message: "rolled back", usage: null } },
    ]);
    const out = await project(events, { modes: ["values"] });
    expect(out[1]).toEqual([{ event: "values", data: { messages: [] } }]);
    expect(out[2]).toEqual([{ event: "end", data: { run_id: RUN.run_id, status: "rollback" } }]);
    const failed = await project(sequence([{ event: "run.failed", data: { run_id: RUN.run_id, status: "error", code: "model_error", message: "down", usage: null } }]));
    expect(failed[0]).toEqual([{ event: "error", data: { error: "model_error", message: "down" } }]);
  });

  it("a run that completes without messages still ends with its values", async () => {
    const out = await project(sequence([{ event: "run.completed", data: { run_id: RUN.run_id, status: "success", usage: null, structured_response: { ok: true } } }]), {
      modes: ["values"],
      base: { messages: [] },
    });
    expect(out[0]).toEqual([
      { event: "values", data: { messages: [], structured_response: { ok: true } } },
      { event: "end", data: { run_id: RUN.run_id, status: "success" } },
    ]);
  });
});

describe("RunProjection: custom", () => {
  it("sends each custom event's chunk as LangGraph's custom event, only in mode custom", async () => {
    const events = sequence([
      { event: "run.started", data: { run_id: RUN.run_id, assistant_id: "chat", attempt: 1, resumed: false, kind: "chat", checkpoint_id: null } },
      { event: "custom", data: { run_id: RUN.run_id, data: { stage: "search", progress: 0.5 } } },
      { event: "custom", data: { run_id: RUN.run_id, data: "done" } },
      { event: "run.completed", data: { run_id: RUN.run_id, status: "success", usage: null } },
    ]);
    const custom = await project(events, { modes: ["custom"] });
    expect(custom).toEqual([[], [{ event: "custom", data: { stage: "search", progress: 0.5 } }], [{ event: "custom", data: "done" }], [{ event: "end", data: { run_id: RUN.run_id, status: "success" } }]]);
    const others = await project(events, { modes: ALL_MODES });
    expect(others.flat().map((event) => event.event)).not.toContain("custom");
  });
});

describe("RunProjection: subgraphs", () => {
  const NS = ["research:task-1"];
  const subgraphRun = sequence([
    { event: "custom", data: { run_id: RUN.run_id, data: { stage: "searching" }, namespace: NS } },
    { event: "subgraph.streamed", data: { run_id: RUN.run_id, namespace: NS, mode: "updates", data: { search: { notes: ["found"] } } } },
    { event: "subgraph.streamed", data: { run_id: RUN.run_id, namespace: NS, mode: "values", data: { notes: ["found"] } } },
    { event: "subgraph.streamed", data: { run_id: RUN.run_id, namespace: NS, mode: "messages", data: [{ type: "AIMessageChunk", id: "m1", content: "s" }, { langgraph_node: "summarize", tags: ["x"] }] } },
    { event: "custom", data: { run_id: RUN.run_id, data: "root" } },
    { event: "custom.capped", data: { run_id: RUN.run_id, limit: 2 } },
  ]);

  it("with stream_subgraphs, names a subgraph's output `<mode>|<namespace>`; a messages tuple's metadata gains the run's ids", async () => {
    const out = (await project(subgraphRun, { modes: ["values", "updates", "messages-tuple", "custom"], subgraphs: true })).flat();
    expect(out).toEqual([
      { event: "custom|research:task-1", data: { stage: "searching" } },
      { event: "updates|research:task-1", data: { search: { notes: ["found"] } } },
      { event: "values|research:task-1", data: { notes: ["found"] } },
      { event: "messages|research:task-1", data: [{ type: "AIMessageChunk", id: "m1", content: "s" }, { tags: ["x"], langgraph_node: "summarize", run_id: "run-1", thread_id: "thread-1", assistant_id: "chat" }] },
      { event: "custom", data: "root" },
    ]);
    // Only the modes asked for.
    expect((await project(subgraphRun, { modes: ["custom"], subgraphs: true })).flat().map((event) => event.event)).toEqual(["custom|research:task-1", "custom"]);
  });

  it("without it, a subgraph's custom chunks are plain custom events and the rest of its output is not sent", async () => {
    const out = (await project(subgraphRun, { modes: ["values", "updates", "messages-tuple", "custom"] })).flat();
    expect(out).toEqual([
      { event: "custom", data: { stage: "searching" } },
      { event: "custom", data: "root" },
    ]);
  });
});
