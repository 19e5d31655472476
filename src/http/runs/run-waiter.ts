import type { Response } from "express";
import { toAppError } from "../../errors/app-error.js";
import { isActive, type Run } from "../../runs/run.js";
import type { Services } from "../../services.js";
import { toInterruptDict } from "./message-dicts.js";

// Join in slices so a wait whose client left stops within one slice.
const JOIN_SLICE_MS = 30_000;
// Whitespace before a JSON body is still valid JSON: it keeps proxies from timing out a long wait.
const WAIT_KEEP_ALIVE_MS = 5_000;

/** Wait until a run has finished (or `signal` aborts) and return its record. */
export async function waitForRun(services: Services, userId: string, target: { thread_id: string; run_id: string; signal?: AbortSignal }): Promise<Run> {
  const { thread_id: threadId, run_id: runId, signal } = target;
  for (;;) {
    const run = await services.runs.join(userId, { thread_id: threadId, run_id: runId, timeout_ms: JOIN_SLICE_MS });
    if (!isActive(run) || signal?.aborted) return run;
  }
}

/**
 * The thread's values after a run, as LangGraph's `/wait` and `/join` return them: with `__error__` when the
 * run failed (the SDK's `runs.wait` throws on it) and `__interrupt__` when it waits for an approval.
 */
export async function finalValues(services: Services, userId: string, run: Run): Promise<Record<string, unknown>> {
  const state = await services.threadState.get(userId, run.thread_id);
  const values = { ...((state.values ?? {}) as Record<string, unknown>) };
  if (run.status === "error" || run.status === "timeout") values.__error__ = { error: run.error?.name ?? run.error?.code ?? run.status, message: run.error?.message ?? `run ${run.status}` };
  if (state.interrupts.length > 0) values.__interrupt__ = state.interrupts.map(toInterruptDict);
  return values;
}

/** An AbortSignal that fires when the client of `response` goes away before the answer was sent. */
export function disconnectSignal(response: Response): AbortSignal {
  const controller = new AbortController();
  response.on("close", () => {
    if (!response.writableFinished) controller.abort();
  });
  return controller.signal;
}

/** Answer with `work`'s JSON once it settles, writing newlines meanwhile when it takes long. */
export async function respondWhenDone(response: Response, work: Promise<unknown>): Promise<void> {
  const keepAlive = setInterval(() => {
    if (!response.headersSent) response.status(200).type("application/json");
    response.write("\n");
  }, WAIT_KEEP_ALIVE_MS);
  keepAlive.unref();
  try {
    const body = await work;
    if (response.headersSent) response.end(JSON.stringify(body));
    else response.json(body);
  } catch (error) {
    if (!response.headersSent) throw error;
    // The status line is gone; report the failure in the body, as LangGraph's wait does.
    const appError = toAppError(error);
    response.end(JSON.stringify({ __error__: { error: appError.code, message: appError.message } }));
  } finally {
    clearInterval(keepAlive);
  }
}
