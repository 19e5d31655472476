import type pg from "pg";
import { type Queryable, withTransaction } from "../db/database.js";
import type { Logger } from "../logger.js";
import type { Run, RunStatus } from "./run.js";

/** Listens to runs finishing on this instance (after their outcome is stored). */
export type RunFinishedListener = (run: Run) => void;

/** Writes what must commit together with a run's outcome, inside the final transaction, given the finished run. */
export type RunFinishWriter = (db: Queryable, finished: Run) => Promise<void>;

/**
 * Prepares, before the final transaction (reads must not hold its connection: the embedded database has only
 * one), a writer to run inside it; undefined when the run needs nothing written.
 */
export type RunFinishingHook = (run: Run, status: RunStatus) => Promise<RunFinishWriter | undefined>;

/** In-process notifications about runs (webhooks and jobs subscribe here). */
export class RunHooks {
  private readonly finished = new Set<RunFinishedListener>();
  private readonly finishing = new Set<RunFinishingHook>();

  /** Have something committed in the same transaction as every run outcome this instance stores (e.g. its webhook job). */
  onRunFinishing(hook: RunFinishingHook): () => void {
    this.finishing.add(hook);
    return () => this.finishing.delete(hook);
  }

  /** The writers of every finishing hook for this run; a hook that fails to prepare is skipped, never the run. */
  async prepareFinish(run: Run, status: RunStatus, onError: (error: unknown) => void): Promise<RunFinishWriter[]> {
    const writers = await Promise.all([...this.finishing].map((hook) => hook(run, status).catch((error: unknown) => (onError(error), undefined))));
    return writers.filter((writer): writer is RunFinishWriter => writer !== undefined);
  }

  /** Be told about every run this instance finishes; returns the unsubscribe function. */
  onRunFinished(listener: RunFinishedListener): () => void {
    this.finished.add(listener);
    return () => this.finished.delete(listener);
  }

  /** Tell the listeners (a failing listener never affects the run). */
  emitRunFinished(run: Run): void {
    for (const listener of this.finished) {
      try {
        listener(run);
      } catch {
        // Listeners handle their own failures.
      }
    }
  }
}

/**
 * What runs cancelled by a submission (queued ones it superseded) set off, as a finish would: their webhook jobs
 * (after the submission's commit, in a transaction of their own: hooks may read first) and the finished listeners.
 */
export async function runFinishingHooks(deps: { hooks: RunHooks; pool: pg.Pool; logger: Logger }, cancelled: readonly Run[]): Promise<void> {
  for (const finished of cancelled) {
    const onError = (error: unknown) => deps.logger.error({ err: error, runId: finished.run_id }, "a run-finishing hook failed");
    const writers = await deps.hooks.prepareFinish(finished, finished.status, onError);
    if (writers.length > 0) {
      await withTransaction(deps.pool, async (client) => {
        for (const write of writers) await write(client, finished);
      }).catch(onError);
    }
    deps.hooks.emitRunFinished(finished);
  }
}
