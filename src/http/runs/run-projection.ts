import type { EventDataByName, ThreadEvent } from "../../events/thread-event.js";
import type { TranscriptMessage } from "../../transcript/transcript-message.js";
import type { Run } from "../../runs/run.js";
import { aiChunkDict, type MessageDict, toInterruptDict, toMessageDict } from "./message-dicts.js";
import { RunValues } from "./run-values.js";
import type { StreamMode } from "./stream-modes.js";

/** An SSE event before it gets its id. */
export interface ProjectedEvent {
  event: string;
  data: unknown;
}

/** Which run, which modes, and how to read the state the run started from. */
export interface RunProjectionOptions {
  modes: readonly StreamMode[];
  run: { run_id: string; thread_id: string; assistant_id: string; input?: Run["input"] };
  /** The state values (LangGraph dicts) the run started from; read once, on first need. */
  loadBase: () => Promise<Record<string, unknown>>;
  /**
   * LangGraph's `stream_subgraphs`: subgraphs' output under event names carrying their namespace (`updates|<ns>`),
   * as LangGraph Platform streams it. Without it, a subgraph's custom chunks are plain `custom` events and the rest
   * of its output is not sent. @default false
   */
  subgraphs?: boolean;
}

// The nodes of events that do not name theirs (stored before events carried `node`): the chat graph's (graphs/chat.ts).
const MODEL_NODE = "model";
const TOOLS_NODE = "tools";

/** Whether a stored event ends its run. */
export function isRunEnd(event: ThreadEvent): boolean {
  return event.event === "run.completed" || event.event === "run.failed" || event.event === "run.interrupted";
}

/**
 * Projects one run's stored Threadline events onto LangGraph's stream modes, event by event and in seq
 * order: `message.delta` → `messages` tuples, completed replies and tool results → `updates` and `values`
 * at step boundaries, `custom` → `custom` (the graph's chunk), the end → `values` (with `__interrupt__` when
 * waiting for approval), `error` or `end`.
 * Its output depends only on the run's events and its starting state, never on when it is called: a replay
 * (feed every event from the run's start, write only those after `Last-Event-ID`) repeats the live stream.
 */
export class RunProjection {
  private readonly modes: ReadonlySet<StreamMode>;
  private values: RunValues | undefined;
  private readonly streamedText = new Map<string, string>();
  private pendingToolCalls = new Set<string>();
  /** Calls whose `tool.started` the run sent: only those end in `tools` mode, as LangGraph's tool callbacks do. */
  private readonly startedTools = new Set<string>();
  private toolBatch: { dict: MessageDict; node: string }[] = [];
  private valuesSent = false;

  constructor(private readonly options: RunProjectionOptions) {
    this.modes = new Set(options.modes);
  }

  /** The SSE events one stored event of the run becomes (often none). */
  async project(event: ThreadEvent): Promise<ProjectedEvent[]> {
    const out = new ProjectedEvents(this.modes);
    switch (event.event) {
      case "run.queued":
        break;
      case "run.started":
        await this.onStarted(out);
        break;
      case "message.delta":
        this.onDelta(out, event.data);
        break;
      case "message.completed":
        await this.onMessage(out, event.data.message, event.data.node);
        break;
      case "state.updated":
        await this.onStateUpdate(out, event.data);
        break;
      case "messages.removed":
        (await this.state()).remove(event.data.message_ids);
        this.emitValues(out);
        break;
      case "tool.started":
        this.startedTools.add(event.data.tool_call_id);
        out.add("tools", "tools", { event: "on_tool_start", toolCallId: event.data.tool_call_id, name: event.data.name, input: event.data.args });
        break;
      case "tool.completed":
        // A call that never ran (rejected, unknown tool, invalid arguments, cancelled while it waited) has no start
        // to end; its result still reaches the other modes as a tool message.
        if (this.startedTools.has(event.data.tool_call_id)) out.add("tools", "tools", toolEnd(event.data));
        break;
      case "custom":
        // LangGraph's `custom` mode: the chunk itself, as the node wrote it (the SDK's CustomStreamEvent).
        out.add("custom", this.namespaced("custom", event.data.namespace), event.data.data);
        break;
      case "custom.capped":
        // LangGraph Platform has no such event: a stream just has no more custom chunks (the log and WebSocket say why).
        break;
      case "subgraph.streamed":
        this.onSubgraph(out, event.data);
        break;
      case "run.completed":
        await this.onCompleted(out, event.data);
        break;
      case "run.interrupted":
        await this.onInterrupted(out, event.data);
        break;
      case "run.failed":
        this.onFailed(out, event.data);
        break;
    }
    return out.events;
  }

  /**
   * Input of the graph's own keys alone (`{topic}`) shows as LangGraph's first `values`, the state with the input:
   * a user message does so when it is stored (`message.completed`), keys without one have no event of their own.
   */
  private async onStarted(out: ProjectedEvents): Promise<void> {
    const input = this.options.run.input;
    if (this.valuesSent || !input?.values || Object.keys(input.values).length === 0 || input.messages.length > 0) return;
    await this.state();
    this.emitValues(out);
  }

  private onDelta(out: ProjectedEvents, data: EventDataByName["message.delta"]): void {
    const before = this.streamedText.get(data.message_id);
    const text = (before ?? "") + data.text;
    this.streamedText.set(data.message_id, text);
    const node = data.node ?? MODEL_NODE;
    out.add("messages-tuple", "messages", [aiChunkDict(data.message_id, data.text), this.tupleMetadata(node)]);
    if (before === undefined) out.add("messages", "messages/metadata", { [data.message_id]: { metadata: this.tupleMetadata(node) } });
    out.add("messages", "messages/partial", [{ ...aiChunkDict(data.message_id, text), type: "ai" }]);
  }

  /**
   * A node's update of other state keys: into the values (a reducer key's value after the step, when the event has
   * it), messages it removed out of them, and the update as that node's `updates` event.
   */
  private async onStateUpdate(out: ProjectedEvents, data: EventDataByName["state.updated"]): Promise<void> {
    this.flushTools(out);
    const values = await this.state();
    const after = data.state ?? {};
    for (const [key, value] of Object.entries(data.values)) values.set(key, key in after ? after[key] : value);
    if (data.removed_message_ids) values.remove(data.removed_message_ids);
    if (Object.keys(data.values).length > 0) out.add("updates", "updates", { [data.node]: data.values });
    this.emitValues(out);
  }

  /** `node`: the node whose update carried the message (unnamed in events stored before they named it). */
  private async onMessage(out: ProjectedEvents, message: TranscriptMessage, node: string | undefined): Promise<void> {
    const values = await this.state();
    const dict = toMessageDict(message);
    switch (message.role) {
      case "tool":
        values.upsert(dict);
        this.toolBatch.push({ dict, node: node ?? TOOLS_NODE });
        this.pendingToolCalls.delete(message.tool_call_id ?? "");
        // One `tools` step answers every call of the reply before it: report them together, as LangGraph does.
        if (this.pendingToolCalls.size === 0) this.flushTools(out);
        return;
      case "assistant":
        this.flushTools(out);
        values.upsert(dict);
        this.emitReplyChunk(out, message, node ?? MODEL_NODE);
        out.add("messages", "messages/complete", [dict]);
        out.add("updates", "updates", { [node ?? MODEL_NODE]: { messages: [dict] } });
        this.emitValues(out);
        this.pendingToolCalls = new Set((message.tool_calls ?? []).map((call) => call.id));
        return;
      case "user":
      case "system":
        // New input closes calls left open by a cancelled step (the runtime answers them as cancelled).
        this.flushTools(out);
        this.pendingToolCalls.clear();
        values.upsert(dict);
        out.add("messages", "messages/complete", [dict]);
        // The run's input has no node; a node's own user or system message is its update.
        if (node) out.add("updates", "updates", { [node]: { messages: [dict] } });
        this.emitValues(out);
        return;
    }
  }

  /** What the `messages` tuples still lack once a reply completes: its text if none streamed, its tool calls. */
  private emitReplyChunk(out: ProjectedEvents, message: TranscriptMessage, node: string): void {
    const streamed = this.streamedText.has(message.id);
    const toolCalls = message.tool_calls ?? [];
    if (streamed && toolCalls.length === 0) return;
    if (!streamed && message.content === "" && toolCalls.length === 0) return;
    out.add("messages-tuple", "messages", [aiChunkDict(message.id, streamed ? "" : message.content, toolCalls), this.tupleMetadata(node)]);
  }

  private flushTools(out: ProjectedEvents): void {
    if (this.toolBatch.length === 0) return;
    const batch = this.toolBatch;
    this.toolBatch = [];
    for (const { dict, node } of batch) out.add("messages-tuple", "messages", [dict, this.tupleMetadata(node)]);
    out.add("messages", "messages/complete", batch.map(({ dict }) => dict));
    // One update per node, in the order the nodes answered (one tools node in the usual graph).
    const byNode = new Map<string, MessageDict[]>();
    for (const { dict, node } of batch) byNode.set(node, [...(byNode.get(node) ?? []), dict]);
    for (const [node, messages] of byNode) out.add("updates", "updates", { [node]: { messages } });
    this.emitValues(out);
  }

  private async onCompleted(out: ProjectedEvents, data: EventDataByName["run.completed"]): Promise<void> {
    this.flushTools(out);
    if (data.structured_response !== undefined) {
      (await this.state()).set("structured_response", data.structured_response);
      this.emitValues(out);
    } else if (!this.valuesSent) {
      await this.state();
      this.emitValues(out);
    }
    out.always("end", { run_id: data.run_id, status: "success" });
  }

  private async onInterrupted(out: ProjectedEvents, data: EventDataByName["run.interrupted"]): Promise<void> {
    this.flushTools(out);
    await this.state();
    const interrupts = data.interrupts.map(toInterruptDict);
    // LangGraph streams a stop for a human in `updates` too: a client following updates alone learns of the question.
    if (interrupts.length > 0) out.add("updates", "updates", { __interrupt__: interrupts });
    this.emitValues(out, { __interrupt__: interrupts });
    out.always("end", { run_id: data.run_id, status: "interrupted" });
  }

  private onFailed(out: ProjectedEvents, data: EventDataByName["run.failed"]): void {
    this.flushTools(out);
    if (data.status === "error" || data.status === "timeout") {
      // LangGraph ends a failed stream with `error`; the SDK stops reading (and reconnecting) there.
      // As LangGraph Platform: the error's class name when graph code threw one (GraphRecursionError), else our code.
      out.always("error", { error: data.error_name ?? data.code, message: data.message });
      return;
    }
    out.always("end", { run_id: data.run_id, status: data.code === "rolled_back" ? "rollback" : data.status });
  }

  /** A subgraph's output, for streams with `stream_subgraphs`: `messages` tuples go to mode `messages-tuple`, as the root's. */
  private onSubgraph(out: ProjectedEvents, data: EventDataByName["subgraph.streamed"]): void {
    if (!this.options.subgraphs) return;
    if (data.mode !== "messages") return out.add(data.mode, this.namespaced(data.mode, data.namespace), data.data);
    const [message, metadata] = data.data as [unknown, Record<string, unknown>];
    out.add("messages-tuple", this.namespaced("messages", data.namespace), [message, { ...this.tupleMetadata(typeof metadata.langgraph_node === "string" ? metadata.langgraph_node : ""), ...metadata }]);
  }

  /** LangGraph Platform's SSE event name: `<mode>|<namespace segments joined by |>` for a subgraph's output when streaming subgraphs. */
  private namespaced(name: string, namespace: readonly string[] | undefined): string {
    return this.options.subgraphs && namespace && namespace.length > 0 ? `${name}|${namespace.join("|")}` : name;
  }

  private emitValues(out: ProjectedEvents, additions?: Record<string, unknown>): void {
    if (!this.values) return;
    out.add("values", "values", this.values.snapshot(additions));
    this.valuesSent = true;
  }

  private async state(): Promise<RunValues> {
    if (!this.values) {
      this.values = new RunValues(await this.options.loadBase());
      // The run's input of other state keys is in the state from its first step (its messages come as events).
      for (const [key, value] of Object.entries(this.options.run.input?.values ?? {})) this.values.set(key, value);
      for (const id of this.values.openToolCalls()) this.pendingToolCalls.add(id);
    }
    return this.values;
  }

  private tupleMetadata(node: string): Record<string, unknown> {
    const { run_id: runId, thread_id: threadId, assistant_id: assistantId } = this.options.run;
    return { tags: [], langgraph_node: node, run_id: runId, thread_id: threadId, assistant_id: assistantId };
  }
}

/** Collects the events of one projection step, keeping only the requested modes. */
class ProjectedEvents {
  readonly events: ProjectedEvent[] = [];

  constructor(private readonly modes: ReadonlySet<StreamMode>) {}

  add(mode: StreamMode, event: string, data: unknown): void {
    if (this.modes.has(mode)) this.events.push({ event, data });
  }

  always(event: string, data: unknown): void {
    this.events.push({ event, data });
  }
}

function toolEnd(data: EventDataByName["tool.completed"]): Record<string, unknown> {
  const base = { toolCallId: data.tool_call_id, name: data.name };
  return data.error === undefined ? { event: "on_tool_end", ...base, output: data.output } : { event: "on_tool_error", ...base, error: data.error };
}
