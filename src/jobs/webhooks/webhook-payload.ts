import { inputAsGiven, type Run } from "../../runs/run.js";

/** The run fields a webhook reports (the run core's Run satisfies it). */
export type FinishedRun = Pick<Run, "run_id" | "thread_id" | "user_id" | "assistant_id" | "status" | "created_at" | "finished_at" | "metadata" | "multitask_strategy" | "webhook" | "error"> &
  Partial<Pick<Run, "kind" | "input" | "command" | "checkpoint_id" | "usage" | "attempt">>;

/** What a webhook receiver gets (LangGraph Platform's shape: the run, plus `values` or `error`). */
export interface WebhookPayload {
  run_id: string;
  thread_id: string;
  assistant_id: string;
  status: string;
  created_at: string;
  updated_at: string;
  metadata: Record<string, unknown>;
  multitask_strategy: string;
  kwargs: Record<string, unknown>;
  values?: unknown;
  values_omitted?: "too_large" | "unavailable";
  error?: string;
  error_code?: string;
  usage?: unknown;
}

/** Values larger than this are left out of the payload (the receiver can read the thread state instead). */
export const MAX_VALUES_BYTES = 1_048_576;

/** The webhook body for a finished run; `values` is the thread's final state, sent on success only. */
export function buildWebhookPayload(run: FinishedRun, values: unknown): WebhookPayload {
  const payload: WebhookPayload = {
    run_id: run.run_id,
    thread_id: run.thread_id,
    assistant_id: run.assistant_id,
    status: run.status,
    created_at: run.created_at,
    updated_at: run.finished_at ?? run.created_at,
    metadata: run.metadata,
    multitask_strategy: run.multitask_strategy,
    kwargs: { input: inputAsGiven(run.input ?? null), command: run.command ?? null, checkpoint_id: run.checkpoint_id ?? null, webhook: run.webhook, kind: run.kind },
  };
  if (run.usage) payload.usage = run.usage;
  if (run.status === "success") {
    if (values === undefined) payload.values_omitted = "unavailable";
    else if (Buffer.byteLength(JSON.stringify(values)) > MAX_VALUES_BYTES) payload.values_omitted = "too_large";
    else payload.values = values;
  }
  if (run.error) {
    payload.error = run.error.message;
    payload.error_code = run.error.code;
  }
  return payload;
}
