import type { TokenUsage } from "../events/thread-event.js";
import type { RunDurability } from "./run-config.js";

/** Durable run states. */
export type RunStatus = "pending" | "running" | "success" | "error" | "interrupted" | "cancelled" | "timeout";

/** What a run does: a chat turn, an answer to an interrupt, a replay from a checkpoint, or API/cron work. */
export type RunKind = "chat" | "resume" | "replay" | "background";

/** What happens when a run is submitted while another is pending or running on the thread. */
export type MultitaskStrategy = "reject" | "enqueue" | "interrupt" | "rollback";

/** A user message of a run's input, with the id it keeps in the transcript and the graph state. */
export interface RunInputMessage {
  id: string;
  role: "user";
  content: string;
  /** The speaker's name, when the client gave one (LangGraph's message `name`). */
  name?: string;
}

/** A run's own configuration, from the run request's `context`, `config.configurable` and `config.recursion_limit`. */
export interface RunConfig {
  /** Assistant settings for this run only (validated like the assistant's own). */
  settings?: Record<string, unknown>;
  /** The graph's own keys of the request's `config.configurable` (not settings, not reserved: run-configurable.ts). */
  configurable?: Record<string, unknown>;
  /** LangGraph's super-step limit for this run. */
  recursion_limit?: number;
  /**
   * When the run's checkpoints are written: "async" (default: each step's, in order, while the next step runs),
   * "sync" (each before the next step starts) or "exit" (only when the run ends or is interrupted).
   */
  durability?: RunDurability;
  /** Store the output of the graph's subgraphs for its streams (LangGraph's `stream_subgraphs`). */
  stream_subgraphs?: boolean;
}

/** A run record as stored and served. */
export interface Run {
  run_id: string;
  thread_id: string;
  user_id: string;
  assistant_id: string;
  status: RunStatus;
  kind: RunKind;
  multitask_strategy: MultitaskStrategy;
  /** New user messages, and (`values`) other keys of the graph's state a run of a developer's graph was given. */
  input: { messages: RunInputMessage[]; values?: Record<string, unknown> } | null;
  command: { resume?: unknown } | null;
  checkpoint_id: string | null;
  /** Static breakpoints: stop before / after these nodes (["*"]: every node); null for none. */
  interrupt_before: string[] | null;
  interrupt_after: string[] | null;
  /** The run's own configuration (assistant setting overrides, recursion limit); null for none. */
  config: RunConfig | null;
  metadata: Record<string, unknown>;
  webhook: string | null;
  client_message_id: string | null;
  attempt: number;
  max_attempts: number;
  /** Why the run failed: a Threadline code, and `name`, the class of the error graph code threw (GraphRecursionError…). */
  error: { code: string; message: string; name?: string } | null;
  usage: TokenUsage | null;
  /** The latest checkpoint when the run was claimed; "" when the thread had none (null before the claim). */
  before_checkpoint_id: string | null;
  cancel_requested: "cancel" | "interrupt" | "rollback" | null;
  created_at: string;
  available_at: string;
  started_at: string | null;
  finished_at: string | null;
}

/** Whether a run has not finished yet. */
export function isActive(run: Pick<Run, "status">): boolean {
  return run.status === "pending" || run.status === "running";
}

/** A run's input as LangGraph clients give it: the messages and the graph's other state keys side by side. */
export function inputAsGiven(input: Run["input"]): Record<string, unknown> | null {
  if (!input) return null;
  const { values, messages } = input;
  return { ...values, ...(messages.length > 0 || !values ? { messages } : {}) };
}
