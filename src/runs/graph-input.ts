import { AIMessage, type BaseMessage, HumanMessage, ToolMessage } from "@langchain/core/messages";
import { Command } from "@langchain/langgraph";
import { checkpointIdAt } from "../checkpoint/checkpoint-id-time.js";
import { randomUUID } from "node:crypto";
import { AppError } from "../errors/app-error.js";
import { CANCELLED_TOOL_RESULT } from "../memory/imported-context.js";
import type { GraphStateSnapshot, RunnableGraph } from "../registry/graph-registry.js";
import type { Run } from "./run.js";

/** What to stream for a run: the input (or null to continue) and the config; `skip` when nothing is left to do. */
export interface GraphInputPlan {
  input: unknown;
  configurable: Record<string, unknown>;
  skip: boolean;
  /** Results written into the state for tool calls left unanswered (see `closeDanglingToolCalls`), to announce. */
  closed?: ToolMessage[];
  /**
   * The thread's latest checkpoint as the run's claim found it under the thread's lock ("" for none), when the plan
   * knows nothing was written or is pending since: the graph's read of it can be answered from memory.
   */
  latestKnown?: string;
  /** The state as planning read it, when planning wrote nothing after (a resumed attempt's catch-up reuses it). */
  state?: GraphStateSnapshot;
}

/**
 * Decide how a run drives its graph. A fresh chat run sends its messages (after the assistant's first message
 * on a new thread); a resumed attempt (after a crash) continues from the last checkpoint when its input is
 * already in the state, and skips when the graph had finished; a resume answers an interrupt; a replay starts
 * from a checkpoint and branches.
 */
export async function planGraphInput(graph: RunnableGraph, run: Run, options: PlanOptions): Promise<GraphInputPlan> {
  const base = { thread_id: run.thread_id };
  if (isFirstRunOfThread(run, options.resumed)) return firstRunPlan(run, options, base);
  if (await continuesCleanState(run, options)) {
    return { input: graphInputOf(run, toMessages(run)), configurable: base, skip: false, latestKnown: run.before_checkpoint_id ?? undefined };
  }
  const state = await graph.getState({ configurable: base });
  const messages = ((state.values as { messages?: BaseMessage[] } | undefined)?.messages ?? []);
  if (options.resumed && run.kind === "resume" && awaitsAnswer(state, run)) {
    // The previous attempt stopped before its answer took effect (a crash or shutdown mid-tool): LangGraph keeps no
    // Command in the checkpoint, so continuing with null would ask the very question the run carries the answer to.
    return { input: new Command({ resume: run.command?.resume }), configurable: base, skip: false, state };
  }
  if (options.resumed && (inputIsIn(messages, run) || run.kind === "resume")) {
    return { input: null, configurable: base, skip: isFinished(state), state };
  }
  if (run.kind === "resume") {
    return { input: new Command({ resume: run.command?.resume }), configurable: base, skip: false };
  }
  const input = toMessages(run);
  if (run.checkpoint_id) {
    const replayed = await keptCheckpoint(graph, { ...base, checkpoint_id: run.checkpoint_id });
    if (input.length === 0) return { input: graphInputOf(run, input), configurable: { ...base, checkpoint_id: run.checkpoint_id }, skip: false };
    const { from, closed } = await closeDanglingToolCalls(graph, replayed, { ...base, checkpoint_id: run.checkpoint_id });
    return { input: graphInputOf(run, input), configurable: { ...base, checkpoint_id: from }, skip: false, closed };
  }
  const values = run.input?.values;
  // No new input while the graph stopped at a breakpoint (interrupt_before/after): continue where it stopped.
  if (input.length === 0 && !values && state.next.length > 0) return { input: null, configurable: base, skip: false };
  const { closed } = input.length > 0 ? await closeDanglingToolCalls(graph, await storedState(graph, state, base), base) : { closed: [] };
  if (messages.length === 0 && options.firstMessage) input.unshift(new AIMessage({ id: options.firstMessageId, content: options.firstMessage }));
  const given = graphInputOf(run, input);
  return { input: given, configurable: base, skip: given === null && isFinished(state), closed };
}

/**
 * Whether `planGraphInput` will stream the run's input without reading or writing the state first: a thread's first
 * run, or a fresh chat run after one that succeeded (see `continuesCleanState`).
 */
export async function startsFromKnownState(run: Run, options: PlanOptions): Promise<boolean> {
  return isFirstRunOfThread(run, options.resumed) || (await continuesCleanState(run, options));
}

/**
 * A replay checked its checkpoint at submission, but a queued one (`after_seconds`, or behind a busy thread) can
 * find it pruned by retention since: LangGraph would then replay from an empty state and the branch would replace
 * the whole conversation as the thread's latest state.
 */
async function keptCheckpoint(graph: RunnableGraph, configurable: { thread_id: string; checkpoint_id: string }): Promise<GraphStateSnapshot> {
  const snapshot = await graph.getState({ configurable });
  if (snapshot.metadata !== undefined) return snapshot;
  throw new AppError("not_found", `Checkpoint ${configurable.checkpoint_id} not found: it was pruned (or deleted) after this run was queued`, {
    details: { checkpoint_id: configurable.checkpoint_id },
  });
}

/** What `planGraphInput` needs besides the graph and the run. */
export interface PlanOptions {
  resumed: boolean;
  firstMessage?: string;
  firstMessageId: string;
  /** The thread's run created just before this one (read only when it can spare the state read). */
  previousRun?: () => Promise<Pick<Run, "status" | "finished_at"> | undefined>;
}

/**
 * A fresh chat run whose thread last changed by a run that succeeded: that run's graph reached its end, so the
 * state has messages, no unanswered tool call and nothing left to run — no need to read it before streaming. The
 * thread's newest checkpoint at claim (`before_checkpoint_id`) must be older than that run's end, so a state edit
 * or any other write since sends the run down the full path. (Checkpoint ids carry the writer's clock: an edit
 * within the clock skew between two instances could pass for older; it would at worst skip closing a dangling
 * tool call the edit itself added.)
 */
async function continuesCleanState(run: Run, options: PlanOptions): Promise<boolean> {
  if (options.resumed || run.kind !== "chat" || run.checkpoint_id || !run.before_checkpoint_id || (run.input?.messages.length ?? 0) === 0) return false;
  const previous = await options.previousRun?.();
  if (previous?.status !== "success" || !previous.finished_at) return false;
  return run.before_checkpoint_id < checkpointIdAt(new Date(previous.finished_at));
}

/**
 * A fresh chat run whose claim found no checkpoint on the thread (`before_checkpoint_id` is "" then, read under
 * the thread's lock): the state is empty, so there is nothing to read before streaming.
 */
function isFirstRunOfThread(run: Run, resumed: boolean): boolean {
  return !resumed && run.kind === "chat" && !run.checkpoint_id && run.before_checkpoint_id === "" && (run.input?.messages.length ?? 0) > 0;
}

function firstRunPlan(run: Run, options: PlanOptions, base: { thread_id: string }): GraphInputPlan {
  const input = toMessages(run);
  if (options.firstMessage) input.unshift(new AIMessage({ id: options.firstMessageId, content: options.firstMessage }));
  return { input: graphInputOf(run, input), configurable: base, skip: false, latestKnown: "" };
}

/** The graph's input: the run's messages (when any) with the other state keys it was given; null when neither. */
function graphInputOf(run: Run, messages: BaseMessage[]): Record<string, unknown> | null {
  const values = run.input?.values;
  if (messages.length === 0 && !values) return null;
  return { ...values, ...(messages.length > 0 ? { messages } : {}) };
}

/**
 * Whether the graph has nothing left to run. Not `next` alone: after a crash between a step's writes and its
 * checkpoint, LangGraph's snapshot applies the pending writes and reports `next: []` while the task that wrote
 * them is still listed and the nodes it triggers have not run; continuing (`stream(null)`) runs them.
 */
function isFinished(state: { next: string[]; tasks: unknown[] }): boolean {
  return state.next.length === 0 && state.tasks.length === 0;
}

/** Whether the state still waits on an interrupt the run answers (`{<interrupt id>: value}`, or a bare value for any). */
function awaitsAnswer(state: GraphStateSnapshot, run: Run): boolean {
  const waiting = state.tasks.flatMap((task) => (task.interrupts ?? []).map((pending) => pending.id));
  const resume = run.command?.resume;
  if (typeof resume !== "object" || resume === null || Array.isArray(resume)) return waiting.length > 0;
  return Object.keys(resume).some((id) => waiting.includes(id));
}

function toMessages(run: Run): BaseMessage[] {
  return (run.input?.messages ?? []).map(({ id, content, name }) => new HumanMessage({ id, content, ...(name ? { name } : {}) }));
}

function inputIsIn(messages: BaseMessage[], run: Run): boolean {
  const ids = new Set((run.input?.messages ?? []).map((message) => message.id));
  return ids.size > 0 && messages.some((message) => message.id !== undefined && ids.has(message.id));
}

/**
 * The latest checkpoint as stored. A step that stopped mid-way (a cancelled run; a fork at an intermediate
 * checkpoint) left pending writes, which the latest snapshot shows applied — but new input starts a fresh pass and
 * LangGraph drops them: what counts is the checkpoint without them.
 */
async function storedState(graph: RunnableGraph, latest: GraphStateSnapshot, base: { thread_id: string }): Promise<GraphStateSnapshot> {
  const checkpointId = latest.config.configurable?.checkpoint_id;
  if (latest.tasks.length === 0 || typeof checkpointId !== "string") return latest;
  return graph.getState({ configurable: { ...base, checkpoint_id: checkpointId } });
}

/**
 * Providers reject a history with a tool call left without its result (a cancelled or abandoned step, a fork or
 * replay at the checkpoint where the model had just called a tool). Before new input, each such call is answered:
 * with the result its tool already produced when the step's pending writes hold one (the tool may have acted on
 * the world), else as cancelled. Resolves with the checkpoint to continue from (the answered one when written) and
 * the results written, under ids of their own so that the transcript and every window get them too (the executor
 * announces them: they follow the new input there, as that is when they were written).
 */
async function closeDanglingToolCalls(graph: RunnableGraph, stored: GraphStateSnapshot, configurable: Record<string, unknown>): Promise<{ from?: string; closed: ToolMessage[] }> {
  const from = configurable.checkpoint_id as string | undefined;
  const last = messagesOfState(stored).at(-1);
  if (!last || !AIMessage.isInstance(last) || (last.tool_calls?.length ?? 0) === 0) return { from, closed: [] };
  const produced = producedToolResults(stored);
  const closed = (last.tool_calls ?? []).map((call) => {
    const result = produced.get(call.id ?? "");
    if (result?.id) return result;
    if (result) return new ToolMessage({ id: `tool-${call.id ?? randomUUID()}`, content: result.content, tool_call_id: result.tool_call_id, name: result.name, status: result.status });
    return new ToolMessage({ id: `cancelled-${call.id ?? randomUUID()}`, content: CANCELLED_TOOL_RESULT, tool_call_id: call.id ?? "", name: call.name, status: "error" });
  });
  const written = await graph.updateState({ configurable }, { messages: closed }, "tools");
  const checkpointId = written.configurable?.checkpoint_id;
  return { from: typeof checkpointId === "string" ? checkpointId : from, closed };
}

/** Tool results the snapshot's pending tasks wrote (by tool call id). */
function producedToolResults(snapshot: GraphStateSnapshot): Map<string, ToolMessage> {
  const results = new Map<string, ToolMessage>();
  for (const task of snapshot.tasks) {
    const written = (task.result as { messages?: unknown } | undefined)?.messages;
    for (const message of Array.isArray(written) ? written : [written]) {
      if (ToolMessage.isInstance(message)) results.set(message.tool_call_id, message);
    }
  }
  return results;
}

function messagesOfState(snapshot: GraphStateSnapshot): BaseMessage[] {
  return (snapshot.values as { messages?: BaseMessage[] } | undefined)?.messages ?? [];
}
