import type pg from "pg";
import { type Queryable, withTransaction } from "../../db/database.js";
import { isAppError } from "../../errors/app-error.js";
import type { Logger } from "../../logger.js";
import type { JobContext, JobDefinition, JobRunner } from "../job-runner.js";
import { JOB_QUEUES } from "../job-queues.js";
import type { ThreadTombstones } from "../lifecycle/thread-tombstones.js";
import type { ThreadTtlStore } from "../lifecycle/thread-ttl-store.js";
import type { RunSubmitter, ThreadPort } from "../run-ports.js";
import { stableUuid } from "../stable-id.js";
import type { CronRow } from "./cron.js";
import { cronRunOptions } from "./cron-run-options.js";
import { nextRunDate } from "./cron-schedule.js";
import type { CronStore } from "./cron-store.js";

/** The data of one firing job. */
export interface CronFireJob {
  cron_id: string;
  /** ISO time of the firing (the cron's next_run_date when it was enqueued). */
  scheduled_at: string;
}

/** How far ahead the minute tick enqueues firings; more than a tick period, so a late tick misses nothing. */
const TICK_HORIZON_MS = 150_000;
/** Most firings the tick enqueues per pass. */
const TICK_BATCH = 1000;
/** Submission failures that retrying cannot fix: the firing is skipped and logged. */
const PERMANENT_CODES = new Set(["thread_busy", "not_found", "invalid_request", "forbidden", "conflict"]);

/** Dependencies of cron firing. `runs` is a getter: the run core may be built after the job services. */
export interface CronFiringOptions {
  pool: pg.Pool;
  store: CronStore;
  jobs: JobRunner;
  threads: ThreadPort;
  tombstones: ThreadTombstones;
  runs: () => RunSubmitter;
  logger: Logger;
  now: () => Date;
  /** STATELESS_KEEP_MINUTES: the idle TTL of a stateless firing's thread, in case its run never deletes it. */
  statelessTtl: { ttls: Pick<ThreadTtlStore, "set">; minutes: number };
}

/**
 * Fires crons through pg-boss. Each firing is a job with a stable id (cron + time) started at its time; the
 * handler advances the cron and enqueues the next firing in one transaction, then submits the run with a stable
 * `client_message_id`, so a retried or duplicated job never runs a firing twice. A minute tick re-enqueues
 * firings due soon in case a chain was lost. Firings missed while every instance was down run once, late.
 */
export class CronFiring {
  constructor(private readonly options: CronFiringOptions) {}

  /** The job kinds to register on the runner. */
  definitions(): [JobDefinition<CronFireJob>, JobDefinition<object>] {
    return [
      { queue: JOB_QUEUES.cronFire, handle: (job) => this.fire(job), batchSize: 10, queueOptions: { retryLimit: 3, retryDelay: 5, retryBackoff: true, expireInSeconds: 300 } },
      { queue: JOB_QUEUES.cronTick, handle: () => this.tick().then(() => undefined), batchSize: 1, pollingIntervalSeconds: 10, queueOptions: { retryLimit: 0, expireInSeconds: 300 }, schedule: { cron: "* * * * *" } },
    ];
  }

  /** Enqueue the cron's next firing at its time; a no-op when that firing is already queued. */
  async enqueue(cron: Pick<CronRow, "cron_id" | "next_run_date">, db?: Queryable): Promise<void> {
    if (!cron.next_run_date) return;
    const scheduledAt = cron.next_run_date.toISOString();
    const data: CronFireJob = { cron_id: cron.cron_id, scheduled_at: scheduledAt };
    await this.options.jobs.send(JOB_QUEUES.cronFire, data, { id: stableUuid("cron-fire", cron.cron_id, scheduledAt), startAfter: cron.next_run_date, db });
  }

  /** Enqueue every firing due within the tick horizon (idempotent). Returns how many crons were looked at. */
  async tick(): Promise<number> {
    const horizon = new Date(this.options.now().getTime() + TICK_HORIZON_MS);
    const due = await this.options.store.dueBefore(horizon, TICK_BATCH);
    for (const cron of due) await this.enqueue(cron);
    return due.length;
  }

  /** Handle one firing job. */
  async fire(job: JobContext<CronFireJob>): Promise<void> {
    const scheduledAt = new Date(job.data.scheduled_at);
    const cron = await withTransaction(this.options.pool, (client) => this.claim(job.data.cron_id, scheduledAt, client));
    if (!cron) return;
    await this.submit(cron, scheduledAt);
  }

  /**
   * Lock the cron; if this firing is the one due, advance to the next and enqueue it in the same transaction.
   * Returns the cron when the run should be submitted (also on a retry of an advanced firing), else undefined.
   */
  private async claim(cronId: string, scheduledAt: Date, client: pg.PoolClient): Promise<CronRow | undefined> {
    const cron = await this.options.store.lockForFiring(cronId, client);
    if (!cron?.enabled) return undefined;
    if (sameInstant(cron.next_run_date, scheduledAt)) {
      // Missed firings (all instances down) collapse into this one: the next is computed from now.
      const after = new Date(Math.max(scheduledAt.getTime(), this.options.now().getTime()));
      const next = nextRunDate(cron.schedule, { timezone: cron.timezone, after, endTime: cron.end_time });
      await this.options.store.advance(cronId, { firedAt: scheduledAt, next }, client);
      await this.enqueue({ cron_id: cronId, next_run_date: next }, client);
      return cron;
    }
    return sameInstant(cron.last_run_date, scheduledAt) ? cron : undefined;
  }

  private async submit(cron: CronRow, scheduledAt: Date): Promise<void> {
    const firing = { cronId: cron.cron_id, scheduledAt: scheduledAt.toISOString() };
    const threadId = cron.thread_id ?? (await this.statelessThread(cron, firing.scheduledAt));
    if (!threadId) return;
    const { payload } = cron;
    const metadata: Record<string, unknown> = { ...cron.metadata, cron_id: cron.cron_id, cron_scheduled_at: firing.scheduledAt };
    if (!cron.thread_id) metadata.on_run_completed = cron.on_run_completed ?? "delete";
    try {
      const { run, duplicate } = await this.options.runs().submit(cron.user_id, {
        thread_id: threadId,
        assistant_id: cron.assistant_id,
        input: payload.input ?? null,
        metadata,
        webhook: payload.webhook,
        multitask_strategy: payload.multitask_strategy,
        client_message_id: `cron:${cron.cron_id}:${firing.scheduledAt}`,
        kind: "background",
        ...cronRunOptions(payload),
      });
      this.options.logger.info({ ...firing, threadId, runId: run.run_id, duplicate }, "cron fired");
    } catch (error) {
      if (isAppError(error) && PERMANENT_CODES.has(error.code)) {
        this.options.logger.warn({ ...firing, threadId, code: error.code, message: error.message }, "cron firing skipped");
        return;
      }
      throw error;
    }
  }

  /** A stateless firing's own thread, with an id derived from the firing so a retry reuses it. */
  private async statelessThread(cron: CronRow, scheduledAt: string): Promise<string | undefined> {
    const threadId = stableUuid("cron-thread", cron.cron_id, scheduledAt);
    // A retry after the thread was used and deleted must not bring it back.
    if (await this.options.tombstones.isDeleted(threadId)) return undefined;
    try {
      await this.options.threads.createWithId(cron.user_id, { thread_id: threadId, assistant_id: cron.assistant_id, metadata: { cron_id: cron.cron_id } });
      // A run that ends waiting for a human keeps its thread (RunFinishedHooks), as does a firing that crashed or was
      // skipped: like a stateless POST /runs thread, it goes after STATELESS_KEEP_MINUTES idle. Set on a retry too.
      if ((cron.on_run_completed ?? "delete") === "delete") {
        const { ttls, minutes } = this.options.statelessTtl;
        await ttls.set(cron.user_id, threadId, { strategy: "delete", ttl: minutes });
      }
      return threadId;
    } catch (error) {
      if (isAppError(error) && PERMANENT_CODES.has(error.code)) {
        this.options.logger.warn({ cronId: cron.cron_id, scheduledAt, code: error.code, message: error.message }, "cron firing skipped: no thread");
        return undefined;
      }
      throw error;
    }
  }
}

function sameInstant(left: Date | null, right: Date): boolean {
  return left !== null && left.getTime() === right.getTime();
}
