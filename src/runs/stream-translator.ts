import { type ModelTokens, USAGE_BY_MODEL_KEY } from "../agent/call-model.js";
import { editedArgsOf, wasRejected } from "../agent/run-tool-calls.js";
import { isToolStartChunk, TOOL_STARTED_KIND, type ToolStartChunk } from "../agent/tool-start.js";
import { AIMessage, AIMessageChunk, type BaseMessage, RemoveMessage, ToolMessage } from "@langchain/core/messages";
import { REMOVE_ALL_MESSAGES } from "@langchain/langgraph";
import type { NewThreadEvent, TokenUsage } from "../events/thread-event.js";
import { type NewTranscriptMessage, type TranscriptMessage, toNewTranscriptMessage } from "../transcript/transcript-message.js";
import { checkCustomChunk, type CustomChunkRefusal } from "./custom-chunk.js";
import { checkSubgraphChunk, isSubgraphStreamMode, ROOT_NAMESPACE } from "./subgraph-output.js";

/**
 * A stream chunk that did not become an event: refused by its check (`checkCustomChunk`), or a custom chunk past
 * the run's cap (`run_limit`, told once per run). `namespace`: the subgraph's, for a subgraph's chunk.
 */
export interface DroppedChunk {
  mode: string;
  reason: CustomChunkRefusal | "run_limit";
  bytes?: number;
  limit?: number;
  namespace?: string[];
}

/** Where translated output goes: events to clients, completed messages to the transcript. */
export interface TranslationSink {
  emit(event: NewThreadEvent): void;
  appendTranscript(messages: NewTranscriptMessage[]): Promise<TranscriptMessage[]>;
  /** A chunk that could not become an event; the run goes on without it. */
  dropChunk?(dropped: DroppedChunk): void;
}

/** Which run a translator translates, the model its unattributed token usage is counted against, and its limits. */
export interface TranslationScope {
  runId: string;
  modelName: string;
  /** Store subgraphs' `values`, `updates` and `messages` output (`stream_subgraphs`). @default false */
  subgraphs?: boolean;
  /** Custom events stored at most (`RUN_CUSTOM_EVENTS_MAX`); later chunks are dropped. @default unlimited */
  customEventsMax?: number;
  /**
   * The graph's reducer keys (`reducedKeys`): an update of one waits for the step's `values` chunk (the run then
   * streams `values`) and its event carries what the key holds after the step. @default none
   */
  reducedKeys?: ReadonlySet<string>;
}

/** A node's update of reducer keys, waiting for the end of its step. */
type PendingStateUpdate = { node: string; values: Record<string, unknown>; removed: string[] };

/**
 * Turns LangGraph's stream chunks into Threadline events, and tallies token usage: `messages` (token deltas),
 * `updates` (completed messages and tool results, interrupts), and the starts of tool calls — announced by a tools
 * node through `custom` (`announceToolStart`) or by LangChain tools themselves through `tools` (LangGraph's
 * prebuilt `ToolNode`) — as `tool.started`; every other `custom` chunk as a `custom` event. A subgraph's output
 * (a chunk with a namespace: the run streams with LangGraph's `subgraphs: true`) is what LangGraph streams without
 * `subgraphs` — its custom chunks, now with their namespace, and its tools node's start announcements — plus, when
 * the run asked for `stream_subgraphs`, its `values`, `updates` and `messages` as `subgraph.streamed`; nothing of a
 * subgraph reaches the transcript but through its parent's state.
 */
export class StreamTranslator {
  private readonly usage: TokenUsage = { input_tokens: 0, output_tokens: 0, by_model: {} };
  private readonly completedIds = new Set<string>();
  /**
   * Calls announced in this attempt, with when (`performance.now()`): a call is started once, whichever way its
   * start was told, and its result's transcript row records how long before it the tool started.
   */
  private readonly startedCalls = new Map<string, number>();
  private counter = 0;
  private customEvents = 0;
  /** Interrupt requests seen in the stream (`__interrupt__` updates), so the run need not reload its state. */
  readonly interrupts: { id?: string; value?: unknown }[] = [];
  /** The last `structured_response` a node wrote. */
  structuredResponse: unknown;
  private pendingStates: PendingStateUpdate[] = [];

  constructor(
    private readonly sink: TranslationSink,
    private readonly scope: TranslationScope,
  ) {}

  /**
   * Messages already in the transcript and announced (the run's input, stored when it was claimed): when the
   * graph's first update repeats them, nothing is appended again — that append would only take the thread row's
   * lock on the way of the first delta's event.
   */
  markCompleted(messageIds: Iterable<string>): void {
    for (const id of messageIds) this.completedIds.add(id);
  }

  /**
   * Handle one `[namespace, mode, chunk]` of `graph.stream(..., { streamMode: runStreamModes(graph), subgraphs: true })`;
   * the namespace is the root's (`[]`) for the run's graph itself.
   */
  async handle(mode: string, chunk: unknown, namespace: readonly string[] = ROOT_NAMESPACE): Promise<void> {
    if (namespace.length > 0) this.handleSubgraphChunk(mode, chunk, namespace);
    else if (mode === "messages") this.handleMessageChunk(chunk);
    else if (mode === "updates") await this.handleUpdate(chunk);
    else if (mode === "custom") this.handleCustomChunk(chunk);
    else if (mode === "tools") this.handleToolEvent(chunk);
    else if (mode === "values") this.handleValues(chunk);
  }

  /**
   * Updates still waiting for their step's values (the stream ended before them: an interrupt, an error): stored as
   * the nodes wrote them. Call once the stream is over.
   */
  flushStateUpdates(): void {
    const pending = this.pendingStates;
    this.pendingStates = [];
    for (const update of pending) this.emitStateUpdate(update);
  }

  /** Usage so far, or null when no model reported any. */
  tokenUsage(): TokenUsage | null {
    return Object.keys(this.usage.by_model).length > 0 ? this.usage : null;
  }

  private handleMessageChunk(chunk: unknown): void {
    const [message, metadata] = chunk as [BaseMessage, Record<string, unknown> | undefined];
    if (!AIMessageChunk.isInstance(message) || !message.id || this.completedIds.has(message.id)) return;
    const text = message.text;
    const node = metadata?.langgraph_node;
    if (text.length > 0) this.sink.emit({ event: "message.delta", data: { message_id: message.id, text, ...(typeof node === "string" ? { node } : {}) } });
  }

  private async handleUpdate(chunk: unknown): Promise<void> {
    for (const [node, update] of Object.entries(chunk as Record<string, unknown>)) {
      if (node === "__interrupt__" && Array.isArray(update)) {
        this.interrupts.push(...(update as { id?: string; value?: unknown }[]));
        continue;
      }
      if (update === null || typeof update !== "object" || Array.isArray(update)) continue;
      const { messages, ...rest } = update as Record<string, unknown>;
      // A key written as undefined changes nothing (LangGraph skips it): no event for it.
      const others = Object.fromEntries(Object.entries(rest).filter(([, value]) => value !== undefined));
      if (others.structured_response !== undefined) this.structuredResponse = others.structured_response;
      const removed = Array.isArray(messages) ? removedMessageIds(messages) : [];
      if (Object.keys(others).length > 0 || removed.length > 0) this.queueStateUpdate({ node, values: others, removed });
      if (Array.isArray(messages)) await this.completeMessages(messages as BaseMessage[], node);
    }
  }

  /** An update of a reducer key waits for its step's values; any other is stored at once. */
  private queueStateUpdate(update: PendingStateUpdate): void {
    const reduced = this.scope.reducedKeys;
    if (reduced && Object.keys(update.values).some((key) => reduced.has(key))) this.pendingStates.push(update);
    else this.emitStateUpdate(update);
  }

  /** The root graph's state after a step: the waiting updates are stored with what their reducer keys now hold. */
  private handleValues(chunk: unknown): void {
    if (this.pendingStates.length === 0 || chunk === null || typeof chunk !== "object") return;
    const state = chunk as Record<string, unknown>;
    const pending = this.pendingStates;
    this.pendingStates = [];
    for (const update of pending) {
      const after = Object.keys(update.values).filter((key) => this.scope.reducedKeys?.has(key) && key in state);
      this.emitStateUpdate(update, Object.fromEntries(after.map((key) => [key, state[key]])));
    }
  }

  /**
   * A node's update of keys other than messages, as JSON (too large or not JSON: dropped with a warning, as custom
   * chunks), with the messages it removed from the state and, for reducer keys, what they hold after the step
   * (`after`: kept out when too large, the update alone then stored).
   */
  private emitStateUpdate(update: PendingStateUpdate, after?: Record<string, unknown>): void {
    const check = checkSubgraphChunk("updates", update.values);
    if (!check.kept) return this.sink.dropChunk?.({ mode: "updates", reason: check.reason, ...(check.bytes === undefined ? {} : { bytes: check.bytes }) });
    const state = after && Object.keys(after).length > 0 ? checkSubgraphChunk("values", after) : undefined;
    if (state && !state.kept) this.sink.dropChunk?.({ mode: "values", reason: state.reason, ...(state.bytes === undefined ? {} : { bytes: state.bytes }) });
    this.sink.emit({
      event: "state.updated",
      data: {
        run_id: this.scope.runId,
        node: update.node,
        values: check.data as Record<string, unknown>,
        ...(state?.kept ? { state: state.data as Record<string, unknown> } : {}),
        ...(update.removed.length > 0 ? { removed_message_ids: update.removed } : {}),
      },
    });
  }

  private async completeMessages(messages: BaseMessage[], node?: string): Promise<void> {
    // RemoveMessage markers (context folding) change the working state, not the transcript.
    const fresh = messages.filter((message) => !RemoveMessage.isInstance(message) && (!message.id || !this.completedIds.has(message.id)));
    const entries = fresh.map((message) => this.withStart(toNewTranscriptMessage(message, this.nextFallbackId())));
    const rows = await this.sink.appendTranscript(entries);
    // Appends skip ids already stored, so match rows to messages by id rather than by position.
    const rowsById = new Map(rows.map((row) => [row.id, row]));
    for (const [index, message] of fresh.entries()) {
      const row = rowsById.get(entries[index]?.id ?? "");
      if (message.id) this.completedIds.add(message.id);
      if (row) this.sink.emit({ event: "message.completed", data: { message: row, ...(node ? { node } : {}) } });
      this.emitToolEvents(message);
      this.countUsage(message);
    }
  }

  /** A tool result whose call started in this attempt, with how long ago (a page loaded later times the call by it). */
  private withStart(entry: NewTranscriptMessage): NewTranscriptMessage {
    const startedAt = entry.tool_call_id === undefined ? undefined : this.startedCalls.get(entry.tool_call_id);
    return startedAt === undefined ? entry : { ...entry, started_ms_ago: Math.max(0, performance.now() - startedAt) };
  }

  /**
   * A node's `custom` write: our tools node's start announcement, or the graph's own data for clients — up to the
   * run's cap, past which chunks are dropped unread (a graph writing millions costs a counter, not a row each).
   */
  private handleCustomChunk(chunk: unknown, namespace: readonly string[] = ROOT_NAMESPACE): void {
    if (isToolStartChunk(chunk)) return this.startTool(chunk);
    const limit = this.scope.customEventsMax ?? Number.POSITIVE_INFINITY;
    if (this.customEvents >= limit) return this.capCustomEvents(limit);
    const check = checkCustomChunk(chunk);
    const where = namespace.length > 0 ? { namespace: [...namespace] } : {};
    if (!check.kept) return this.sink.dropChunk?.({ mode: "custom", reason: check.reason, ...(check.bytes === undefined ? {} : { bytes: check.bytes }), ...where });
    this.customEvents += 1;
    this.sink.emit({ event: "custom", data: { run_id: this.scope.runId, data: check.data, ...where } });
  }

  /** The first chunk past the cap is told once, in the log and to clients (`custom.capped`); the others silently dropped. */
  private capCustomEvents(limit: number): void {
    if (this.customEvents > limit) return;
    this.customEvents += 1;
    this.sink.dropChunk?.({ mode: "custom", reason: "run_limit", limit });
    this.sink.emit({ event: "custom.capped", data: { run_id: this.scope.runId, limit } });
  }

  /**
   * A subgraph's chunk. Its custom writes and tool-start announcements are handled as the root's (LangGraph streams
   * them so without `subgraphs`); its `values`, `updates` and `messages` are stored only for `stream_subgraphs`;
   * its `tools` events are not (LangGraph streams a subgraph's tool callbacks only with `subgraphs`).
   */
  private handleSubgraphChunk(mode: string, chunk: unknown, namespace: readonly string[]): void {
    if (mode === "custom") return this.handleCustomChunk(chunk, namespace);
    if (!this.scope.subgraphs || !isSubgraphStreamMode(mode)) return;
    const check = checkSubgraphChunk(mode, chunk);
    if (!check.kept) return this.sink.dropChunk?.({ mode, reason: check.reason, ...(check.bytes === undefined ? {} : { bytes: check.bytes }), namespace: [...namespace] });
    this.sink.emit({ event: "subgraph.streamed", data: { run_id: this.scope.runId, namespace: [...namespace], mode, data: check.data } });
  }

  /** A LangChain tool's lifecycle event (`tools` mode): its start, when it belongs to a tool call. */
  private handleToolEvent(chunk: unknown): void {
    const event = chunk as { event?: unknown; toolCallId?: unknown; name?: unknown; input?: unknown } | null;
    // A tool invoked with plain arguments (not a model's call) has no call id: there is no card to start.
    if (event?.event !== "on_tool_start" || typeof event.toolCallId !== "string" || event.toolCallId === "") return;
    this.startTool({ kind: TOOL_STARTED_KIND, tool_call_id: event.toolCallId, name: typeof event.name === "string" ? event.name : "", args: argsOf(event.input) });
  }

  private startTool(start: ToolStartChunk): void {
    if (this.startedCalls.has(start.tool_call_id)) return;
    this.startedCalls.set(start.tool_call_id, performance.now());
    this.sink.emit({ event: "tool.started", data: { tool_call_id: start.tool_call_id, name: start.name, args: start.args } });
  }

  private emitToolEvents(message: BaseMessage): void {
    // A call's tool.started comes from its tools node when the tool begins (startTool), never from the request:
    // a call may wait for a human, be edited, or never run.
    if (ToolMessage.isInstance(message)) {
      const failed = message.status === "error";
      const edited = editedArgsOf(message);
      const data = { tool_call_id: message.tool_call_id, name: message.name ?? "", output: message.text, ...(edited ? { args: edited } : {}), ...(wasRejected(message) ? { rejected: true as const } : {}) };
      this.sink.emit({ event: "tool.completed", data: failed ? { ...data, error: message.text } : data });
    }
  }

  /** Count tokens no message carries (a failed model call's record of what finished before it). */
  countSpent(spent: readonly (ModelTokens & { model: string })[]): void {
    for (const share of spent) this.addShare(share.model, share);
  }

  private countUsage(message: BaseMessage): void {
    if (!AIMessage.isInstance(message) || !message.usage_metadata) return;
    // An answer made of two calls says what each model spent (call-model.ts); otherwise it is all one model's.
    const split = message.response_metadata?.[USAGE_BY_MODEL_KEY] as Record<string, ModelTokens> | undefined;
    if (!split) return this.addShare(String(message.response_metadata?.model_name ?? ""), message.usage_metadata);
    for (const [model, tokens] of Object.entries(split)) this.addShare(model, tokens);
  }

  /** One model's tokens, into its entry and the totals (unnamed: the run's model). */
  private addShare(model: string, tokens: ModelTokens): void {
    const entry = (this.usage.by_model[model || this.scope.modelName] ??= { input_tokens: 0, output_tokens: 0 });
    entry.input_tokens += tokens.input_tokens;
    entry.output_tokens += tokens.output_tokens;
    this.usage.input_tokens += tokens.input_tokens;
    this.usage.output_tokens += tokens.output_tokens;
  }

  private nextFallbackId(): string {
    this.counter += 1;
    return `message-${Date.now()}-${this.counter}`;
  }
}

/**
 * The ids of the messages an update removes from the state (`RemoveMessage`; the transcript keeps them). Removing
 * them all (`REMOVE_ALL_MESSAGES`) is not told: the messages after it are the state's, which the events cannot say.
 */
function removedMessageIds(messages: unknown[]): string[] {
  return messages.flatMap((message) => (RemoveMessage.isInstance(message) && message.id && message.id !== REMOVE_ALL_MESSAGES ? [message.id] : []));
}

/** A LangChain tool's input as arguments: the object it was given, or its string input parsed or wrapped. */
function argsOf(input: unknown): Record<string, unknown> {
  if (typeof input === "object" && input !== null && !Array.isArray(input)) return input as Record<string, unknown>;
  if (typeof input !== "string") return { input };
  try {
    const parsed: unknown = JSON.parse(input);
    return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : { input };
  } catch {
    return { input };
  }
}
