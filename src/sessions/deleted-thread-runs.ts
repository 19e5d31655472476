import type pg from "pg";
import type { Logger } from "../logger.js";
import type { Run } from "../runs/run.js";
import type { RunFinishWriter, RunHooks } from "../runs/run-hooks.js";
import type { RunStore } from "../runs/run-store.js";

/** The error a run ended by its thread's deletion reports (in its webhook). */
const DELETED = { code: "cancelled", message: "the thread was deleted" } as const;

/** What deleting a thread needs to end its active runs as a cancel would. */
export interface DeletedThreadRunsDeps {
  runs: Pick<RunStore, "listActive">;
  hooks: Pick<RunHooks, "prepareFinish">;
  logger: Logger;
}

/** A thread's active runs, each with what its finishing hooks (its webhook job) write once it is cancelled. */
export interface PreparedRuns {
  prepared: { run: Run; writers: RunFinishWriter[] }[];
}

/**
 * Before deleting a thread (outside its transaction: a hook may read, and the embedded database has one
 * connection): its pending and running runs, ended `cancelled`, with their finishing hooks prepared.
 */
export async function prepareDeletedThreadRuns(deps: DeletedThreadRunsDeps, userId: string, threadId: string): Promise<PreparedRuns> {
  const active = await deps.runs.listActive(userId, { threadId });
  const prepared = await Promise.all(
    active.map(async (run) => {
      const cancelled: Run = { ...run, status: "cancelled", error: { ...DELETED }, finished_at: new Date().toISOString() };
      const onError = (error: unknown) => deps.logger.error({ err: error, runId: run.run_id }, "a run-finishing hook failed");
      return { run: cancelled, writers: await deps.hooks.prepareFinish(cancelled, "cancelled", onError) };
    }),
  );
  return { prepared };
}

/**
 * Inside the delete's transaction, before the thread's row (and its runs with it) goes: the hooks of those prepared
 * runs still active — locked with their thread, so an executor finishing one waits and then finds it gone, and a
 * run cannot end both ways. A run that finished meanwhile had its own hooks; one submitted since the listing has
 * none (a narrow race). A failing hook is undone alone and never keeps the thread from being deleted.
 */
export async function finishDeletedThreadRuns(client: pg.PoolClient, threadId: string, runs: PreparedRuns, logger: Logger): Promise<void> {
  if (runs.prepared.length === 0) return;
  // The thread first, as claims, submissions and finishes lock it (then their run): the same order, no deadlock.
  await client.query("SELECT 1 FROM threads WHERE thread_id = $1 FOR UPDATE", [threadId]);
  const { rows } = await client.query<{ run_id: string }>("SELECT run_id FROM runs WHERE thread_id = $1 AND status IN ('pending', 'running') FOR UPDATE", [threadId]);
  const still = new Set(rows.map((row) => row.run_id));
  for (const { run, writers } of runs.prepared) {
    if (!still.has(run.run_id)) continue;
    for (const write of writers) {
      await client.query("SAVEPOINT run_finish_hook");
      try {
        await write(client, run);
        await client.query("RELEASE SAVEPOINT run_finish_hook");
      } catch (error) {
        await client.query("ROLLBACK TO SAVEPOINT run_finish_hook");
        logger.error({ err: error, runId: run.run_id }, "a run-finishing hook failed");
      }
    }
  }
}
