import type { Run } from "../../runs/run.js";
import type { Services } from "../../services.js";
import { waitForRun } from "./run-waiter.js";

/** A stateless run's thread goes once the run has finished (best effort, on this instance). */
export function deleteWhenFinished(services: Services, userId: string, run: Run): void {
  void (async () => {
    await deleteThread(services, userId, await waitForRun(services, userId, { thread_id: run.thread_id, run_id: run.run_id }));
  })().catch((error: unknown) => services.logger.warn({ err: error, threadId: run.thread_id }, "stateless thread not deleted"));
}

/**
 * Delete a stateless run's thread once the run has ended — unless it ended waiting for a human (`interrupted`): the
 * answer names the thread, and deleting it would lose the question (and what it guards) for good. Such a thread is
 * kept `STATELESS_KEEP_MINUTES` without activity (a TTL), then deleted, answered or not: the run asked for it to go.
 */
export async function deleteThread(services: Services, userId: string, finished: Run): Promise<void> {
  if (finished.status === "interrupted") {
    await services.lifecycle
      .setTtl(userId, finished.thread_id, { strategy: "delete", ttl: services.config.STATELESS_KEEP_MINUTES })
      .catch((error: unknown) => services.logger.warn({ err: error, threadId: finished.thread_id }, "stateless thread kept without a TTL"));
    return;
  }
  await services.sessions.delete(userId, finished.thread_id).catch((error: unknown) => services.logger.warn({ err: error, threadId: finished.thread_id }, "stateless thread not deleted"));
}
