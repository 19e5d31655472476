import type { Logger } from "../logger.js";
import type { ThreadTombstones } from "./lifecycle/thread-tombstones.js";
import type { ThreadPort } from "./run-ports.js";
import type { FinishedRun } from "./webhooks/webhook-payload.js";

/** Outcomes after which a stateless cron's thread is done with (an interrupted one still awaits a human). */
const FINAL_STATUSES = new Set(["success", "error", "cancelled", "timeout"]);

/**
 * What happens in the background after a run finished: a stateless cron's thread is deleted if the cron asked
 * for it. Never throws and never delays the run.
 */
export class RunFinishedHooks {
  private readonly pending = new Set<Promise<void>>();

  constructor(private readonly options: { threads: Pick<ThreadPort, "delete">; tombstones: ThreadTombstones; logger: Logger }) {}

  /** The listener for `runEvents.onRunFinished`. */
  readonly listener = (run: FinishedRun): void => {
    const work = this.handle(run).finally(() => this.pending.delete(work));
    this.pending.add(work);
  };

  /** Wait for hooks in progress (shutdown: enqueue what finished before the pool closes). */
  async drain(): Promise<void> {
    await Promise.all([...this.pending]);
  }

  private async handle(run: FinishedRun): Promise<void> {
    // The webhook job was enqueued in the run's final transaction (WebhookService.prepareForRun).
    if (run.metadata.on_run_completed === "delete" && typeof run.metadata.cron_id === "string" && FINAL_STATUSES.has(run.status)) {
      try {
        // Tombstone first: a retried firing or a late checkpoint write must not bring the thread back.
        await this.options.tombstones.markDeleted([run.thread_id], "cron_run_completed");
        await this.options.threads.delete(run.user_id, run.thread_id);
      } catch (error) {
        this.options.logger.warn({ err: error, runId: run.run_id, threadId: run.thread_id }, "could not delete a stateless cron's thread");
      }
    }
  }
}
