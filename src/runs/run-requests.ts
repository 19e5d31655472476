import type { MultitaskStrategy, RunConfig, RunKind } from "./run.js";

/** A run request, in LangGraph Platform's vocabulary. */
export interface SubmitRunRequest {
  thread_id: string;
  assistant_id?: string;
  /** New user messages; `name` is a speaker's, as LangGraph clients may send it (kept as written). */
  /** A message's `id` (HTTP/SDK input) is kept; the runtime gives one to a message without. */
  input?: { messages: { role: "user"; content: string; name?: string; id?: string }[]; values?: Record<string, unknown> } | null;
  command?: { resume?: unknown };
  multitask_strategy?: MultitaskStrategy;
  metadata?: Record<string, unknown>;
  webhook?: string;
  after_seconds?: number;
  checkpoint_id?: string;
  /** Static breakpoints (LangGraph's `interrupt_before` / `interrupt_after`): node names of the graph, or "*". */
  interrupt_before?: "*" | string[];
  interrupt_after?: "*" | string[];
  /** This run's own assistant setting overrides and recursion limit. */
  config?: RunConfig;
  client_message_id?: string;
  kind?: RunKind;
}

/** A human's answer to an interrupt; the resume run takes the run options an HTTP run body gives it. */
export interface RespondRequest {
  thread_id: string;
  interrupt_id: string;
  value: unknown;
  /** Answers to other interrupts pending at the same time (questions asked by parallel nodes), carried by the same run. */
  others?: { interrupt_id: string; value: unknown }[];
  run?: Pick<SubmitRunRequest, "metadata" | "webhook" | "config" | "client_message_id">;
}
