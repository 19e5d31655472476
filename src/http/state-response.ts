import type { ThreadState } from "../sessions/thread-state-service.js";
import { selectStateFields } from "./state-select.js";

/**
 * A thread state as the HTTP API answers it, LangGraph Platform's `ThreadState`: each task's `error` is the error's
 * message, or `null` when the task did not fail — the SDK types it `string` (LangGraph.js keeps a failed task's error
 * as `{message, name}`, which a UI showed as `[object Object]`). `select` keeps only the fields it names.
 */
export function toStateResponse(state: ThreadState, select?: readonly string[]): Partial<ThreadState> {
  return selectStateFields({ ...state, tasks: state.tasks.map(withErrorMessage) }, select);
}

function withErrorMessage(task: unknown): unknown {
  if (task === null || typeof task !== "object") return task;
  const { error } = task as { error?: unknown };
  return { ...task, error: errorMessage(error) };
}

function errorMessage(error: unknown): string | null {
  if (error === undefined || error === null) return null;
  if (typeof error === "string") return error;
  const { message } = error as { message?: unknown };
  return typeof message === "string" ? message : JSON.stringify(error);
}
