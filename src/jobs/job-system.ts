import type pg from "pg";
import type { ItemStore } from "../store/item-store.js";
import type { Config } from "../config.js";
import type { Logger } from "../logger.js";
import { CronFiring } from "./cron/cron-firing.js";
import { CronService } from "./cron/cron-service.js";
import { CronStore } from "./cron/cron-store.js";
import { JobRunner } from "./job-runner.js";
import { CheckpointRetention } from "../checkpoint/checkpoint-retention.js";
import { DeltaCompaction } from "../events/delta-compaction.js";
import { SessionLifecycleService } from "./lifecycle/session-lifecycle-service.js";
import type { ThreadTombstones } from "./lifecycle/thread-tombstones.js";
import { ThreadTtlStore } from "./lifecycle/thread-ttl-store.js";
import { RunFinishedHooks } from "./run-finished-hooks.js";
import type { AssistantPort, RunSubmitter, ThreadPort } from "./run-ports.js";
import { WebhookService } from "./webhooks/webhook-service.js";
import { outboundPolicyFromConfig } from "../outbound/outbound-policy.js";

/** The job-related services transports use (the lead adds these fields to `Services`). */
export interface JobServices {
  crons: CronService;
  lifecycle: SessionLifecycleService;
}

/** The settings jobs read from the app config. */
export type JobConfig = Pick<
  Config,
  | "WEBHOOK_SECRET"
  | "WEBHOOK_MAX_ATTEMPTS"
  | "WEBHOOK_RETRY_DELAY_SECONDS"
  | "WEBHOOK_TIMEOUT_MS"
  | "OUTBOUND_ALLOW_PRIVATE"
  | "OUTBOUND_ALLOW_HOSTS"
  | "THREAD_TTL_MINUTES"
  | "THREAD_TTL_STRATEGY"
  | "TTL_SWEEP_INTERVAL_MINUTES"
  | "JOBS_POLL_INTERVAL_SECONDS"
  | "SHUTDOWN_GRACE_MS"
  | "CHECKPOINT_RETENTION_DAYS"
  | "EVENT_DELTA_RETENTION_MINUTES"
  | "STATELESS_KEEP_MINUTES"
>;

/** What the job system needs from the rest of the app. */
export interface JobSystemOptions {
  pool: pg.Pool;
  logger: Logger;
  config: JobConfig;
  /** The same instance the checkpoint saver uses, so both share its cache. */
  tombstones: ThreadTombstones;
  /** `services.sessions` */
  threads: ThreadPort;
  /** `services.assistants` */
  assistants: AssistantPort;
  /** `services.threadState` (final values for webhooks). */
  threadState: { get(userId: string, threadId: string): Promise<{ values: unknown }> };
  /** Returns `services.runs`; a getter so the job system may be built before the run core. */
  runs: () => RunSubmitter;
  /** Long-term store items: the sweep deletes the expired ones. */
  itemStore?: Pick<ItemStore, "deleteExpired">;
  /** Injectable clock for cron times and TTL expiry. @default () => new Date() */
  now?: () => Date;
}

/** Every job-side service, built and started/stopped together. */
export interface JobSystem extends JobServices {
  jobs: JobRunner;
  webhooks: WebhookService;
  /** Subscribe `hooks.listener` to `runEvents.onRunFinished`. */
  hooks: RunFinishedHooks;
  cronFiring: CronFiring;
  /** Install pg-boss's schema, create queues and schedules, start workers. */
  start(): Promise<void>;
  /** Let finishing runs enqueue their webhooks, then stop the workers. Call before closing the pool. */
  stop(): Promise<void>;
}

/**
 * Build the job system: the pg-boss runner on the app's pool, crons, webhooks, TTL sweeps and prune.
 * @example const jobSystem = createJobSystem({ pool, logger, config, tombstones, threads: sessions, assistants, threadState, runs: () => runs });
 */
export function createJobSystem(options: JobSystemOptions): JobSystem {
  const { pool, logger, config, tombstones } = options;
  const now = options.now ?? (() => new Date());
  const jobs = new JobRunner({ pool, logger, pollingIntervalSeconds: config.JOBS_POLL_INTERVAL_SECONDS, stopTimeoutMs: config.SHUTDOWN_GRACE_MS });
  const store = new CronStore(pool);
  const ttls = new ThreadTtlStore(pool);
  const statelessTtl = { ttls, minutes: config.STATELESS_KEEP_MINUTES };
  const cronFiring = new CronFiring({ pool, store, jobs, threads: options.threads, tombstones, runs: options.runs, logger: logger.child({ component: "crons" }), now, statelessTtl });
  const outbound = outboundPolicyFromConfig(config);
  const crons = new CronService({ pool, store, firing: cronFiring, threads: options.threads, assistants: options.assistants, now, outbound, runs: options.runs });
  const webhooks = new WebhookService({
    pool,
    jobs,
    logger,
    threadState: options.threadState,
    secret: config.WEBHOOK_SECRET,
    maxAttempts: config.WEBHOOK_MAX_ATTEMPTS,
    retryDelaySeconds: config.WEBHOOK_RETRY_DELAY_SECONDS,
    timeoutMs: config.WEBHOOK_TIMEOUT_MS,
    outbound,
  });
  // keep_latest and the age-based policy both know ThreadlineSaver's message rows.
  const retention = new CheckpointRetention(pool);
  const lifecycle = new SessionLifecycleService({
    pool,
    ttls,
    pruner: retention,
    tombstones,
    threads: options.threads,
    logger,
    defaultTtl: config.THREAD_TTL_MINUTES === undefined ? null : { minutes: config.THREAD_TTL_MINUTES, strategy: config.THREAD_TTL_STRATEGY },
    sweepIntervalMinutes: config.TTL_SWEEP_INTERVAL_MINUTES,
    retention: config.CHECKPOINT_RETENTION_DAYS === undefined ? undefined : { days: config.CHECKPOINT_RETENTION_DAYS, policy: retention },
    deltas: { minutes: config.EVENT_DELTA_RETENTION_MINUTES, compaction: new DeltaCompaction(pool) },
    storeItems: options.itemStore,
    now,
  });
  const hooks = new RunFinishedHooks({ threads: options.threads, tombstones, logger });
  for (const definition of cronFiring.definitions()) jobs.define(definition);
  jobs.define(webhooks.definition());
  jobs.define(lifecycle.definition());
  return {
    jobs,
    crons,
    webhooks,
    lifecycle,
    hooks,
    cronFiring,
    start: () => jobs.start(),
    async stop() {
      await hooks.drain();
      await jobs.stop();
    },
  };
}
