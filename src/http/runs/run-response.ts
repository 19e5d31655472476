import { inputAsGiven, type Run } from "../../runs/run.js";
import type { StreamMode } from "./stream-modes.js";

/** The path of a run (LangGraph's `Content-Location`). */
export function runPath(run: Pick<Run, "thread_id" | "run_id">): string {
  return `/threads/${run.thread_id}/runs/${run.run_id}`;
}

/** The join-stream path of a run, keeping the stream modes so a reconnect streams the same modes. */
export function runStreamPath(run: Pick<Run, "thread_id" | "run_id">, modes: readonly StreamMode[]): string {
  const query = new URLSearchParams(modes.map((mode) => ["stream_mode", mode]));
  return `${runPath(run)}/stream?${query.toString()}`;
}

/**
 * A run in LangGraph Platform's `Run` shape (`run_id, thread_id, assistant_id, created_at, updated_at, status,
 * metadata, multitask_strategy, kwargs`), with Threadline's durable-run fields alongside.
 */
export function toRunResponse(run: Run): Record<string, unknown> {
  return {
    run_id: run.run_id,
    thread_id: run.thread_id,
    assistant_id: run.assistant_id,
    created_at: run.created_at,
    updated_at: run.finished_at ?? run.started_at ?? run.created_at,
    status: run.status,
    metadata: run.metadata,
    multitask_strategy: run.multitask_strategy,
    cancel_reason: run.status === "cancelled" ? (run.error?.code ?? "cancelled") : null,
    kwargs: {
      input: inputAsGiven(run.input),
      command: run.command,
      config: {
        configurable: { ...run.config?.configurable, thread_id: run.thread_id, ...(run.checkpoint_id ? { checkpoint_id: run.checkpoint_id } : {}) },
        ...(run.config?.recursion_limit ? { recursion_limit: run.config.recursion_limit } : {}),
      },
      webhook: run.webhook,
    },
    kind: run.kind,
    attempt: run.attempt,
    error: run.error,
    usage: run.usage,
    available_at: run.available_at,
    started_at: run.started_at,
    finished_at: run.finished_at,
  };
}
