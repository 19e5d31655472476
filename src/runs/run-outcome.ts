import { isModelCallError, redactSecrets } from "../agent/model-call-error.js";
import type { NewThreadEvent, PendingInterrupt, TokenUsage } from "../events/thread-event.js";
import { stopReasonOf } from "./lease-keeper.js";
import type { Run } from "./run.js";
import type { RunOutcome } from "./run-store.js";

/**
 * How a run ended, as the executor records it. `next`: the nodes a run stopped before at a static breakpoint.
 * `open`: the approval questions the thread still waits on after the run was stopped (see `RunOutcome.open`).
 */
export type Outcome = RunOutcome & { interrupts?: PendingInterrupt[]; next?: string[]; structured?: unknown; rollback?: boolean; open?: PendingInterrupt[] };

/** The event that ends a run: `run.completed`, `run.interrupted` or `run.failed`. */
export function finalEvent(run: Run, outcome: Outcome & { usage: TokenUsage | null }): NewThreadEvent {
  switch (outcome.status) {
    case "success":
      return { event: "run.completed", data: { run_id: run.run_id, status: "success", usage: outcome.usage, ...(outcome.structured === undefined ? {} : { structured_response: outcome.structured }) } };
    case "interrupted":
      if (outcome.interrupts) return { event: "run.interrupted", data: { run_id: run.run_id, status: "interrupted", interrupts: outcome.interrupts, ...(outcome.next ? { next: outcome.next } : {}), usage: outcome.usage } };
      return { event: "run.failed", data: { run_id: run.run_id, status: "interrupted", code: outcome.error?.code ?? "interrupted", message: outcome.error?.message ?? "interrupted", usage: outcome.usage, ...openOf(outcome) } };
    case "error":
    case "cancelled":
    case "timeout":
      // What the model calls that finished before the failure spent (a call cut short reports nothing).
      return {
        event: "run.failed",
        data: { run_id: run.run_id, status: outcome.status, code: outcome.error?.code ?? "internal", message: outcome.error?.message ?? "run failed", usage: outcome.usage, ...openOf(outcome), ...(outcome.error?.name ? { error_name: outcome.error.name } : {}) },
      };
  }
}

/** The questions still open after a stopped run, for its `run.failed` (nothing when none). */
function openOf(outcome: Outcome): { interrupts?: PendingInterrupt[] } {
  return outcome.open && outcome.open.length > 0 ? { interrupts: outcome.open } : {};
}

/** The outcome of a run whose graph threw (or was stopped): why, as the run's stopper or error says. */
export function toFailure(error: unknown, signal: AbortSignal): Outcome {
  const reason = stopReasonOf(signal);
  if (reason?.kind === "cancel") {
    // The stopper says why: "superseded by run …" (a newer run's multitask strategy), "interrupted by user"…
    if (reason.action === "interrupt") return { status: "interrupted", error: { code: "interrupted", message: reason.message } };
    if (reason.action === "rollback") return { status: "cancelled", error: { code: "rolled_back", message: reason.message }, rollback: true };
    return { status: "cancelled", error: { code: "cancelled", message: reason.message } };
  }
  if (signal.aborted) return { status: "cancelled", error: { code: "cancelled", message: "cancelled" } };
  const root = findModelError(error);
  if (root) return { status: "error", error: { code: "model_error", message: root.message } };
  if (error instanceof Error && error.name === "AppError") return { status: "error", error: { code: (error as Error & { code: string }).code, message: error.message } };
  if (!(error instanceof Error)) return { status: "error", error: { code: "internal", message: "run failed" } };
  // The code stays `internal` (the WebSocket's codes are Threadline's); the class name is what LangGraph Platform reports.
  return { status: "error", error: { code: "internal", message: redactSecrets(error.message), name: errorClassName(error) } };
}

/**
 * The error's class as LangGraph Platform names it: its `name` (GraphRecursionError), or its constructor's name for a
 * subclass that left `name` as "Error".
 */
function errorClassName(error: Error): string {
  const constructorName = (error.constructor as { name?: unknown } | undefined)?.name;
  return error.name === "Error" && typeof constructorName === "string" && constructorName !== "" ? constructorName : error.name;
}

/** The model call error behind `error` (a few `cause`s deep), if any. */
export function findModelError(error: unknown): Error | undefined {
  for (let current: unknown = error, depth = 0; current && depth < 5; depth += 1) {
    if (isModelCallError(current)) return current;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}
