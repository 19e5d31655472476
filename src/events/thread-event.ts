import type { TranscriptMessage } from "../transcript/transcript-message.js";
import type { RunKind } from "../runs/run.js";
import type { SubgraphStreamMode } from "../runs/subgraph-output.js";

/** Data of each event name, as pushed to clients. Names read noun-then-verb. */
export interface EventDataByName {
  "run.started": { run_id: string; assistant_id: string; attempt: number; resumed: boolean; kind: RunKind; checkpoint_id: string | null };
  "run.queued": { run_id: string; position: number; input: { messages: { id: string; role: "user"; content: string }[] } | null };
  /** `next` (at a static breakpoint, with no interrupts): the nodes the graph stopped before. */
  "run.interrupted": { run_id: string; status: "interrupted"; interrupts: PendingInterrupt[]; next?: string[]; usage: TokenUsage | null };
  "messages.removed": { run_id: string; message_ids: string[] };
  /** `node`: the graph node streaming it (LangGraph's `langgraph_node`), when known. */
  "message.delta": { message_id: string; text: string; node?: string };
  /** `node`: the graph node whose update carried it, when a node's (not the run's input, not a state edit). */
  "message.completed": { message: TranscriptMessage; node?: string };
  /**
   * A node's update of state keys other than `messages` (a developer's graph: `{joke}`; the chat graph: its running
   * `summary`, `structured_response`), as JSON; what LangGraph's `updates` stream carries for that node.
   */
  /**
   * `values`: the node's update as written; `state`: what its reducer keys hold after the step; `removed_message_ids`:
   * messages it removed from the state (`RemoveMessage`).
   */
  "state.updated": { run_id: string; node: string; values: Record<string, unknown>; state?: Record<string, unknown>; removed_message_ids?: string[] };
  "tool.started": { tool_call_id: string; name: string; args: Record<string, unknown> };
  /** `args`: the arguments the tool ran with, when a human edited them (the model's are in its message). */
  /** `rejected`: a human rejected the call (it never ran; `error` says so, as the model read it). */
  "tool.completed": { tool_call_id: string; name: string; output: string; error?: string; args?: Record<string, unknown>; rejected?: true };
  /**
   * `data`: what a node of the run's graph wrote to LangGraph's `custom` stream (`config.writer`), as JSON;
   * `namespace`: the subgraph whose node wrote it (LangGraph's namespace, e.g. `["research:<task id>"]`), absent for
   * the run's graph itself.
   */
  custom: { run_id: string; data: unknown; namespace?: string[] };
  /** The run reached its cap of custom events (`RUN_CUSTOM_EVENTS_MAX`): its further custom chunks are dropped. */
  "custom.capped": { run_id: string; limit: number };
  /** A subgraph's `values`, `updates` or `messages` output, stored for runs that asked for `stream_subgraphs`. */
  "subgraph.streamed": { run_id: string; namespace: string[]; mode: SubgraphStreamMode; data: unknown };
  "run.completed": { run_id: string; status: "success"; usage: TokenUsage | null; structured_response?: unknown };
  /** `usage`: what the model calls that finished spent; null when none did (a queued run never called one). */
  /** `interrupts`: the approval questions still open after a stopped run (an answer's run cancelled before its tool finished). */
  "run.failed": { run_id: string; code: string; message: string; status: "error" | "cancelled" | "interrupted" | "timeout"; usage: TokenUsage | null; interrupts?: PendingInterrupt[]; error_name?: string };
}

/** What the graph is waiting on a human for: a tool call needing approval, or a question of the graph's own. */
export type PendingInterrupt = PendingApproval | PendingQuestion;

/** A tool call that needs a human's approval before it runs (answered approve / reject / edit). */
export interface PendingApproval {
  id: string;
  tool_call_id: string;
  name: string;
  args: Record<string, unknown>;
}

/** A graph's own `interrupt(value)` (a developer's graph): `value` as the graph gave it, answered with any JSON value. */
export interface PendingQuestion {
  id: string;
  kind: "question";
  value: unknown;
}

/** Whether a pending interrupt is a tool approval (the built-in graphs' only kind). */
export function isPendingApproval(pending: PendingInterrupt): pending is PendingApproval {
  return !("kind" in pending);
}

/** Token usage of a run, per model and in total. */
export interface TokenUsage {
  input_tokens: number;
  output_tokens: number;
  by_model: Record<string, { input_tokens: number; output_tokens: number }>;
}

/** Every event name. */
export type EventName = keyof EventDataByName;

/** An event before it is sequenced. */
export type NewThreadEvent = { [Name in EventName]: { event: Name; data: EventDataByName[Name] } }[EventName];

/** A sequenced, persisted event of one thread. */
export type ThreadEvent = NewThreadEvent & { thread_id: string; run_id: string | null; seq: number; created_at: string };
