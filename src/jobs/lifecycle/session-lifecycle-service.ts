import type pg from "pg";
import { AppError, isAppError } from "../../errors/app-error.js";
import type { Logger } from "../../logger.js";
import type { JobDefinition } from "../job-runner.js";
import { JOB_QUEUES } from "../job-queues.js";
import type { ThreadPort } from "../run-ports.js";
import type { CheckpointRetention } from "../../checkpoint/checkpoint-retention.js";
import type { DeltaCompaction } from "../../events/delta-compaction.js";
import type { ThreadTombstones } from "./thread-tombstones.js";
import type { ThreadTtl, TtlStrategy } from "./thread-ttl.js";
import { type DefaultTtl, IDLE_THREAD_SQL, type ThreadTtlStore } from "./thread-ttl-store.js";

/** What one sweep did. */
export interface SweepResult {
  deleted: number;
  kept_latest: number;
  /** Intermediate checkpoints removed by the retention policy (0 when CHECKPOINT_RETENTION_DAYS is unset). */
  checkpoints_pruned: number;
  /** Token deltas of completed messages removed from the event log (0 when `deltas` is unset). */
  deltas_compacted: number;
  /** Expired long-term store items deleted. */
  store_items_expired: number;
}

/** Dependencies and settings of the session lifecycle. */
export interface SessionLifecycleOptions {
  pool: pg.Pool;
  ttls: ThreadTtlStore;
  /** keep_latest of one thread (checkpoints, writes, unreferenced blobs and stored messages). */
  pruner: Pick<CheckpointRetention, "keepLatest">;
  tombstones: ThreadTombstones;
  /** Deletes a thread the way users do (cancels its run, removes rows and checkpoints). */
  threads: Pick<ThreadPort, "delete">;
  logger: Logger;
  /** THREAD_TTL_MINUTES / THREAD_TTL_STRATEGY; null: threads without their own TTL never expire. */
  defaultTtl: DefaultTtl | null;
  /** CHECKPOINT_RETENTION_DAYS and the policy applying it; unset keeps every checkpoint. */
  retention?: { days: number; policy: Pick<CheckpointRetention, "sweep"> };
  /** EVENT_DELTA_RETENTION_MINUTES and the compaction applying it; unset keeps every delta. */
  deltas?: { minutes: number; compaction: Pick<DeltaCompaction, "sweep"> };
  /** The long-term store: its expired items are deleted at each sweep (readers already skip them). */
  storeItems?: { deleteExpired(): Promise<number> };
  /** Minutes between sweeps (aligned on the hour). @default 5 */
  sweepIntervalMinutes?: number;
  /** Threads handled per sweep; the rest wait for the next one. @default 1000 */
  sweepLimit?: number;
  /** @default () => new Date() */
  now?: () => Date;
}

/**
 * Thread TTLs, the sweeper, prune, and tombstones. Deleting writes the tombstone first (committed), then deletes
 * through the session service, so a late checkpoint write is undone by the tombstone-aware checkpointer (ThreadlineSaver).
 */
export class SessionLifecycleService {
  private readonly logger: Logger;
  private readonly now: () => Date;

  constructor(private readonly options: SessionLifecycleOptions) {
    this.logger = options.logger.child({ component: "lifecycle" });
    this.now = options.now ?? (() => new Date());
  }

  /** The periodic sweep job to register on the runner. */
  definition(): JobDefinition<object> {
    return {
      queue: JOB_QUEUES.ttlSweep,
      handle: () => this.sweep().then(() => undefined),
      batchSize: 1,
      pollingIntervalSeconds: 10,
      queueOptions: { retryLimit: 0, expireInSeconds: 15 * 60 },
      schedule: { cron: sweepCron(this.options.sweepIntervalMinutes ?? 5) },
    };
  }

  /** Set or clear (null) the TTL of the user's thread. Call after creating a thread with `ttl`. */
  setTtl(userId: string, threadId: string, ttl: ThreadTtl | null): Promise<void> {
    return this.options.ttls.set(userId, threadId, ttl);
  }

  /** The thread's own TTL, or null when it follows the default. */
  getTtl(threadId: string): Promise<ThreadTtl | null> {
    return this.options.ttls.get(threadId);
  }

  /** Refuse (conflict) to create a thread with the id of a deleted one: its tombstone would drop every checkpoint. */
  async assertIdReusable(threadId: string): Promise<void> {
    if (await this.options.tombstones.isDeleted(threadId)) throw new AppError("conflict", `Thread ${threadId} was deleted; its id cannot be reused`);
  }

  /**
   * `POST /threads/prune`: delete the user's listed threads or prune them to their latest checkpoint. Ids of
   * threads the user does not own (or that do not exist) are skipped silently and not counted; so is, for
   * keep_latest, a thread with a pending or running run (as the sweeper skips it): that run's rollback restores the
   * checkpoint its claim found newest, which keep_latest would delete. `delete` takes busy threads too, as
   * `DELETE /threads/{id}` does (their runs are cancelled).
   */
  async prune(userId: string, request: { thread_ids: string[]; strategy: TtlStrategy }): Promise<{ pruned_count: number }> {
    const { rows } = await this.options.pool.query<{ thread_id: string; idle: boolean }>(
      `SELECT t.thread_id, (${IDLE_THREAD_SQL}) AS idle FROM threads t WHERE t.thread_id = ANY($1::uuid[]) AND t.user_id = $2`,
      [[...new Set(request.thread_ids)], userId],
    );
    let pruned = 0;
    for (const { thread_id: threadId, idle } of rows) {
      if (request.strategy === "keep_latest" && !idle) continue;
      const done = request.strategy === "delete" ? await this.deleteThread(userId, threadId, "pruned") : await this.keepLatest(threadId);
      if (done) pruned += 1;
    }
    return { pruned_count: pruned };
  }

  /** One sweep, the periodic job: thread TTLs, then checkpoint retention and delta compaction when configured. */
  async sweep(): Promise<SweepResult> {
    const expired = await this.options.ttls.findExpired({ now: this.now(), defaultTtl: this.options.defaultTtl, limit: this.options.sweepLimit ?? 1000 });
    const result: SweepResult = { deleted: 0, kept_latest: 0, checkpoints_pruned: 0, deltas_compacted: 0, store_items_expired: 0 };
    for (const thread of expired) {
      if (thread.strategy === "delete") {
        if (await this.deleteThread(thread.user_id, thread.thread_id, "ttl")) result.deleted += 1;
      } else if (await this.keepLatest(thread.thread_id)) {
        await this.options.ttls.markSwept(thread.thread_id);
        result.kept_latest += 1;
      }
    }
    await this.options.pool.query("DELETE FROM webhook_attempts WHERE created_at < now() - interval '30 days'");
    result.checkpoints_pruned = await this.applyRetention();
    result.deltas_compacted = await this.compactDeltas();
    result.store_items_expired = await this.deleteExpiredItems();
    if (expired.length > 0 || result.checkpoints_pruned > 0 || result.deltas_compacted > 0 || result.store_items_expired > 0) this.logger.info(result, "thread TTL, checkpoint retention, event compaction and store expiry sweep");
    return result;
  }

  /** Delete expired store items. */
  private deleteExpiredItems(): Promise<number> {
    const { storeItems } = this.options;
    return this.sweepStep("deleting expired store items failed", async () => (storeItems ? storeItems.deleteExpired() : 0));
  }

  /** Delete old token deltas of completed messages. */
  private compactDeltas(): Promise<number> {
    const { deltas } = this.options;
    if (!deltas) return Promise.resolve(0);
    return this.sweepStep("event delta compaction failed", async () => (await deltas.compaction.sweep({ olderThanMinutes: deltas.minutes, now: this.now() })).deleted);
  }

  /** Prune intermediate checkpoints past the retention age. */
  private applyRetention(): Promise<number> {
    const { retention } = this.options;
    if (!retention) return Promise.resolve(0);
    return this.sweepStep("checkpoint retention sweep failed", async () => (await retention.policy.sweep({ olderThanDays: retention.days, now: this.now() })).checkpoints);
  }

  /** One optional part of the sweep: a failure is logged and counts 0, and the next sweep tries again. */
  private async sweepStep(failure: string, step: () => Promise<number>): Promise<number> {
    try {
      return await step();
    } catch (error) {
      this.logger.warn({ err: error }, failure);
      return 0;
    }
  }

  /** Tombstone, then delete; false when the thread was already gone. */
  private async deleteThread(userId: string, threadId: string, reason: string): Promise<boolean> {
    await this.options.tombstones.markDeleted([threadId], reason);
    try {
      await this.options.threads.delete(userId, threadId);
      return true;
    } catch (error) {
      if (isAppError(error) && error.code === "not_found") return false;
      this.logger.warn({ err: error, threadId, reason }, "could not delete an expired or pruned thread");
      return false;
    }
  }

  private async keepLatest(threadId: string): Promise<boolean> {
    try {
      const counts = await this.options.pruner.keepLatest(threadId);
      this.logger.debug({ threadId, ...counts }, "pruned a thread to its latest checkpoint");
      return true;
    } catch (error) {
      this.logger.warn({ err: error, threadId }, "could not prune a thread's checkpoints");
      return false;
    }
  }
}

/** A cron firing every `minutes` (1–60), aligned on the hour. */
export function sweepCron(minutes: number): string {
  const whole = Math.min(60, Math.max(1, Math.round(minutes)));
  return whole === 60 ? "0 * * * *" : `*/${whole} * * * *`;
}
