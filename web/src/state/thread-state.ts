import { type EventDataByName, type EventFrame, type Interrupt, type RunRecord, type TranscriptMessage, eventData } from "../protocol/protocol-types.js";

/**
 * Where a tool call is: `pending` (requested, its tool not started: behind another call, or behind a human's
 * answer to another call of the reply), `waiting` (for a human's approval of this call), `running` (its
 * `tool.started` came), `done`, `error`, or `stopped`: no result, and none can come any more (see
 * `callClosedWithoutResult`) — its run stopped mid-tool or before the tool ran.
 */
export type ToolCallState = "pending" | "waiting" | "running" | "done" | "error" | "rejected" | "stopped";

/** A tool call as the page shows it, merged from events (live) and the transcript (history). */
export interface ToolCallView {
  id: string;
  name: string;
  args: Record<string, unknown>;
  state: ToolCallState;
  output?: string;
  error?: string;
  /** When its tool started, for the duration; may be the request's time (see `toolCallView`), so not the state. */
  startedAt?: string;
  completedAt?: string;
}

/**
 * What `tool.started`/`tool.completed` said about a call; no args when only its completion was seen (a tab that
 * joined late, or a call that never ran: rejected, invalid arguments — such a call has no `tool.started`).
 */
export type LiveToolCall = Omit<ToolCallView, "args" | "state"> & {
  args?: Record<string, unknown>;
  /** The run whose `tool.started` was seen last: a call started in a run that ended without its result stopped. */
  startedInRun?: string;
};

/** What the page knows about a run it saw events of. */
export interface RunView {
  run_id: string;
  status: "running" | "success" | "error" | "cancelled" | "timeout" | "interrupted";
  error?: { code: string; message: string };
  /** Cancelled while queued, before it started (withdrawn): nothing of it shows, not even its message. */
  withdrawn?: boolean;
}

/** A run waiting behind the thread's current one (`run.queued`), with the user's text it will answer. */
export interface QueuedRun {
  run_id: string;
  position: number;
  text: string;
}

/** A run that re-ran the graph from an earlier checkpoint: its messages start a new branch of the session. */
export interface ReplayBranch {
  run_id: string;
  /** Where the replay started; null when the server did not say. */
  checkpoint_id: string | null;
}

/** An assistant message still streaming (or cut short by a cancel). */
export interface StreamingMessage {
  message_id: string;
  run_id: string | null;
  text: string;
}

/** Everything the chat view renders for one thread; replaced, never mutated, on each change. */
export interface ThreadState {
  /** Completed transcript rows, ordered by transcript seq, unique by id. */
  messages: TranscriptMessage[];
  streaming: StreamingMessage[];
  tools: Record<string, LiveToolCall>;
  runs: Record<string, RunView>;
  activeRunId: string | null;
  interrupts: Interrupt[];
  /**
   * The nodes a static breakpoint (`interrupt_before`/`interrupt_after`) stopped the graph before, [] when it is not
   * paused at one: its unanswered calls then wait for the run that continues it, not stopped.
   */
  pausedBefore: string[];
  /** Runs accepted while another one runs (enqueue), oldest first; each leaves the list when it starts or ends. */
  queued: QueuedRun[];
  /** Replay runs by run id, learnt from `run.started` (live) or from run records (history). */
  replays: Record<string, ReplayBranch>;
  /** Highest event seq applied; events at or below it are duplicates. */
  lastSeq: number;
  /** `before` for loading older history, null when it is all loaded. */
  olderBefore: number | null;
  /**
   * Transcript seq up to which no run could still answer a call when the history was loaded (the session was
   * idle or failed: no run active, none paused), 0 when unknown: calls requested there without a result stay
   * stopped when the next run starts (its message closes them).
   */
  settledThrough: number;
}

/** The state of a thread before anything is loaded. */
export function emptyThreadState(): ThreadState {
  return { messages: [], streaming: [], tools: {}, runs: {}, activeRunId: null, interrupts: [], pausedBefore: [], queued: [], replays: {}, lastSeq: 0, olderBefore: null, settledThrough: 0 };
}

/** Merge completed messages (history pages or events) in transcript order, dropping duplicates by id. */
export function mergeMessages(state: ThreadState, incoming: TranscriptMessage[]): ThreadState {
  const byId = new Map(state.messages.map((message) => [message.id, message]));
  for (const message of incoming) byId.set(message.id, message);
  const messages = [...byId.values()].sort((left, right) => left.seq - right.seq);
  const completed = new Set(messages.map((message) => message.id));
  return { ...state, messages, streaming: state.streaming.filter((entry) => !completed.has(entry.message_id)) };
}

/**
 * Forget in-flight parts (streaming text, the active run) and rewind the seq, before a replay from `since`
 * rebuilds them. Completed messages stay: replayed completions are deduplicated by id.
 */
export function rewindTo(state: ThreadState, since: number): ThreadState {
  return { ...state, streaming: [], activeRunId: null, interrupts: [], lastSeq: since };
}

/** Apply one pushed event; duplicates (seq already applied) and unknown events leave the state unchanged. */
export function applyEvent(state: ThreadState, frame: EventFrame): ThreadState {
  if (frame.seq <= state.lastSeq) return state;
  const next = applyKnownEvent({ ...state, lastSeq: frame.seq }, frame);
  return next;
}

function applyKnownEvent(state: ThreadState, frame: EventFrame): ThreadState {
  const runId = frame.run_id;
  const started = eventData(frame, "run.started");
  if (started) {
    const id = started.run_id || runId || "";
    const queued = state.queued.filter((entry) => entry.run_id !== id);
    // A resumed attempt (the previous instance died) streams its messages again: the dead attempt's
    // never-completed text is superseded (docs/protocol.md), so it must not stay beside the new one.
    const streaming = started.resumed ? state.streaming.filter((entry) => entry.run_id !== id) : state.streaming;
    const next: ThreadState = { ...state, activeRunId: id, interrupts: [], pausedBefore: [], queued, streaming, runs: { ...state.runs, [id]: { run_id: id, status: "running" } } };
    return started.kind === "replay" ? recordReplays(next, [{ run_id: id, kind: "replay", checkpoint_id: started.checkpoint_id }]) : next;
  }
  const queued = eventData(frame, "run.queued");
  if (queued) return queueRun(state, queued, runId);
  const delta = eventData(frame, "message.delta");
  if (delta) return appendDelta(state, delta, runId);
  const completed = eventData(frame, "message.completed");
  if (completed) return mergeMessages(state, [completed.message]);
  const toolStarted = eventData(frame, "tool.started");
  if (toolStarted) {
    const previous = state.tools[toolStarted.tool_call_id];
    const tool: LiveToolCall = { ...previous, id: toolStarted.tool_call_id, name: toolStarted.name, args: toolStarted.args, startedAt: frame.created_at };
    if (runId !== null) tool.startedInRun = runId;
    return { ...state, tools: { ...state.tools, [tool.id]: tool } };
  }
  const toolCompleted = eventData(frame, "tool.completed");
  if (toolCompleted) {
    const previous = state.tools[toolCompleted.tool_call_id];
    // A tab that joined after tool.started, or a call that never ran (no tool.started), knows no args here: the
    // assistant message's tool_calls provide them (toolCallView), so none are invented.
    const tool: LiveToolCall = {
      ...previous,
      id: toolCompleted.tool_call_id,
      name: toolCompleted.name,
      output: toolCompleted.output,
      error: toolCompleted.error,
      completedAt: frame.created_at,
      // Arguments a human edited before approving: what the tool ran with, shown instead of the model's.
      ...(toolCompleted.args ? { args: toolCompleted.args } : {}),
    };
    return { ...state, tools: { ...state.tools, [tool.id]: tool } };
  }
  const finished = eventData(frame, "run.completed");
  if (finished) return finishRun(state, { run_id: finished.run_id || runId || "", status: "success" });
  const failed = eventData(frame, "run.failed");
  if (failed) {
    const error = { code: failed.code, message: failed.message };
    const finished = finishRun(state, { run_id: failed.run_id || runId || "", status: failed.status, error });
    // An answer's run stopped before its tool finished: the question is open again, and answerable here.
    return failed.interrupts && failed.interrupts.length > 0 ? { ...finished, interrupts: failed.interrupts } : finished;
  }
  const removed = eventData(frame, "messages.removed");
  if (removed) {
    // The server took these rows back (a run retried or replayed): drop them and any text still streaming.
    const gone = new Set(removed.message_ids);
    return {
      ...state,
      messages: state.messages.filter((message) => !gone.has(message.id)),
      streaming: state.streaming.filter((entry) => !gone.has(entry.message_id)),
    };
  }
  const interrupted = eventData(frame, "run.interrupted");
  if (interrupted) {
    const id = interrupted.run_id ?? runId ?? "";
    // No question but nodes left (`next`): paused at a static breakpoint.
    const pausedBefore = interrupted.interrupts.length === 0 ? (interrupted.next ?? []) : [];
    return { ...finishRun(state, { run_id: id, status: "interrupted" }), interrupts: interrupted.interrupts, pausedBefore };
  }
  // `custom` (a graph's own chunks, in a format only it knows), `custom.capped`, `subgraph.streamed` (a subgraph's
  // output; what it gives its parent comes in the parent's own events) and events newer than this page change
  // nothing shown.
  return state;
}

function appendDelta(state: ThreadState, delta: { message_id: string; text: string }, runId: string | null): ThreadState {
  // A delta for a message we already hold complete is a replay of old text: the completed row wins.
  if (state.messages.some((message) => message.id === delta.message_id)) return state;
  const index = state.streaming.findIndex((entry) => entry.message_id === delta.message_id);
  const streaming = [...state.streaming];
  if (index === -1) streaming.push({ message_id: delta.message_id, run_id: runId, text: delta.text });
  else {
    const entry = streaming[index];
    if (entry) streaming[index] = { ...entry, text: entry.text + delta.text };
  }
  return { ...state, streaming };
}

function queueRun(state: ThreadState, data: EventDataByName["run.queued"], runId: string | null): ThreadState {
  const id = data.run_id || runId || "";
  // A replay from an earlier seq repeats the event, and a run that already started is no longer waiting.
  if (state.queued.some((entry) => entry.run_id === id) || state.runs[id]) return state;
  const text = (data.input?.messages ?? []).map((message) => message.content).join("\n");
  return { ...state, queued: [...state.queued, { run_id: id, position: data.position ?? state.queued.length + 1, text }] };
}

function finishRun(state: ThreadState, run: RunView): ThreadState {
  // A successful run's text arrives complete in message.completed; cut-short text stays, marked stopped.
  const streaming = run.status === "success" ? state.streaming.filter((entry) => entry.run_id !== run.run_id) : state.streaming;
  const activeRunId = state.activeRunId === run.run_id || !state.activeRunId ? null : state.activeRunId;
  // A queued run cancelled before it started (withdrawn, superseded, or stopped) is no longer waiting.
  const withdrawn = run.status === "cancelled" && !state.runs[run.run_id] && state.queued.some((entry) => entry.run_id === run.run_id);
  const queued = state.queued.filter((entry) => entry.run_id !== run.run_id);
  return { ...state, streaming, activeRunId, queued, runs: { ...state.runs, [run.run_id]: withdrawn ? { ...run, withdrawn } : run } };
}

/** Remember which of these runs are replays (the rest are ignored); unchanged state when nothing is new. */
export function recordReplays(state: ThreadState, runs: RunRecord[]): ThreadState {
  const fresh = runs.filter((run) => run.kind === "replay" && !state.replays[run.run_id]);
  if (fresh.length === 0) return state;
  const replays = { ...state.replays };
  for (const run of fresh) replays[run.run_id] = { run_id: run.run_id, checkpoint_id: run.checkpoint_id ?? null };
  return { ...state, replays };
}

/**
 * Runs of loaded messages whose kind history does not tell: those with no user message (a replay has no input
 * of its own; so has an answer to an approval, or a turn whose question is on an older page).
 */
export function runsWithoutInput(state: ThreadState): string[] {
  const withInput = new Set(state.messages.filter((message) => message.role === "user").map((message) => message.run_id));
  const runIds = state.messages.map((message) => message.run_id).filter((runId): runId is string => runId !== null && !withInput.has(runId));
  return [...new Set(runIds)];
}

/**
 * The tool call with history filled in: output from the tool row, arguments from the assistant message unless a
 * human edited them before approving (the tool row has what ran then). It started when its `tool.started` said
 * (sent when the tool begins, after any approval), or after a reload when its result's row says (`started_at`);
 * without either (a graph that announces no starts, older rows), when it was requested if its result came in the
 * same run — a result from a later run means the call waited for a human (or never ran), so the request's time
 * would count the wait: no start, no duration. It is `running` only once its `tool.started` came: a call that has
 * not started is `pending`, whatever time its duration would be counted from.
 */
export function toolCallView(state: ThreadState, call: { id: string; name: string; args: Record<string, unknown> }, request: ToolCallRequestRow): ToolCallView {
  const tracked: Partial<LiveToolCall> = state.tools[call.id] ?? {};
  const { startedInRun, ...live } = tracked;
  const result = state.messages.find((message) => message.role === "tool" && message.tool_call_id === call.id);
  const waited = result !== undefined && request.run_id !== null && result.run_id !== null && result.run_id !== request.run_id;
  const startedAt = live.startedAt ?? result?.started_at ?? (waited ? undefined : request.created_at);
  const view: ToolCallView = { id: call.id, name: call.name, ...live, state: "pending", startedAt, args: live.args ?? result?.args ?? call.args };
  if (result && view.output === undefined) {
    view.output = result.content;
    if (result.status === "error" || result.status === "rejected") view.error = result.content;
    view.completedAt ??= result.created_at;
  }
  view.state = toolCallState(state, view, { request, startedInRun, started: live.startedAt !== undefined });
  return view;
}

/** The assistant message that requested a tool call: when, in which run, at which place of the transcript. */
export type ToolCallRequestRow = Pick<TranscriptMessage, "created_at" | "run_id" | "seq">;

function toolCallState(state: ThreadState, view: ToolCallView, call: { request: ToolCallRequestRow; startedInRun: string | undefined; started: boolean }): ToolCallState {
  // A human rejected it: its result is an error to the model, not a failure of the tool.
  if (state.messages.some((message) => message.role === "tool" && message.tool_call_id === view.id && message.status === "rejected")) return "rejected";
  if (view.error !== undefined) return "error";
  if (view.output !== undefined) return "done";
  if (state.interrupts.some((interrupt) => interrupt.tool_call_id === view.id)) return "waiting";
  if (callClosedWithoutResult(state, call.request, call.startedInRun)) return "stopped";
  return call.started ? "running" : "pending";
}

/**
 * Whether a call that has no result can no longer get one, so that neither *running…* nor *pending* is true of it:
 * - its tool started in a run that has ended (a run finishes its tools before it ends; a tool that starts again —
 *   an answer given again, a crashed run resumed — sends a new `tool.started`, and the call runs again);
 * - the run that requested it ended for good (failed, cancelled, or completed without it; not paused for a
 *   human's answer, whose resume runs the reply's calls);
 * - the conversation went on after it (a user or assistant message after the request: a new message closes the
 *   calls it finds unanswered, a replay starts another branch);
 * - or nothing runs on the thread any more and no answer is awaited: no run is active (live, and after a reload
 *   the session was not `busy` — a busy one replays its run's events, `run.started` included), no interrupt is
 *   pending and the graph is not paused at a breakpoint (a session opened `interrupted` loads both with its
 *   history); or nothing did when the history was
 *   loaded (`settledThrough`), whatever runs since.
 * A call that started in a run whose end is not known (its `run.started` not seen either) is taken as running.
 */
export function callClosedWithoutResult(state: ThreadState, request: ToolCallRequestRow, startedInRun: string | undefined): boolean {
  if (startedInRun !== undefined) return runEnded(state.runs[startedInRun]) || conversationWentOn(state, request);
  if (request.run_id !== null && runEnded(state.runs[request.run_id])) return true;
  if (conversationWentOn(state, request) || request.seq <= state.settledThrough) return true;
  return state.activeRunId === null && state.interrupts.length === 0 && state.pausedBefore.length === 0;
}

/** A run that ended for good; a run paused for a human (`run.interrupted`, no error) continues in its resume. */
function runEnded(run: RunView | undefined): boolean {
  if (run === undefined || run.status === "running") return false;
  return run.status !== "interrupted" || run.error !== undefined;
}

function conversationWentOn(state: ThreadState, request: ToolCallRequestRow): boolean {
  return state.messages.some((message) => message.seq > request.seq && (message.role === "user" || message.role === "assistant"));
}

/** Whether a run is waiting in the thread's queue. */
export function isQueued(state: ThreadState, runId: string | undefined): boolean {
  return runId !== undefined && state.queued.some((entry) => entry.run_id === runId);
}

/** Whether the thread has a run in progress that the user could stop. */
export function isRunning(state: ThreadState): boolean {
  return state.activeRunId !== null;
}

/** Whether nothing runs, waits for the user (a question, a breakpoint) or is queued on the thread. */
export function isSettled(state: ThreadState): boolean {
  return state.activeRunId === null && state.interrupts.length === 0 && state.pausedBefore.length === 0 && state.queued.length === 0;
}

/** The user message a run was given, if the state has it. */
export function runUserMessage(state: ThreadState, runId: string): TranscriptMessage | undefined {
  return state.messages.find((message) => message.role === "user" && message.run_id === runId);
}

/** Whether a run's user message is the conversation's newest: nothing was said after its turn. */
export function isNewestTurn(state: ThreadState, runId: string): boolean {
  const own = runUserMessage(state, runId);
  const lastUser = [...state.messages].reverse().find((message) => message.role === "user");
  return own !== undefined && own.id === lastUser?.id;
}
