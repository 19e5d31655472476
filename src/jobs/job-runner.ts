import PgBoss from "pg-boss";
import type pg from "pg";
import type { Queryable } from "../db/database.js";
import type { Logger } from "../logger.js";
import { BossDatabase, toBossDatabase } from "./boss-database.js";

/** One job as a handler sees it. `attempt` starts at 1 and grows with every retry. */
export interface JobContext<Data> {
  id: string;
  queue: string;
  data: Data;
  attempt: number;
  /** Retries allowed after the first attempt; `attempt > retryLimit` means this is the last try. */
  retryLimit: number;
}

/** A kind of background work: its queue, how each job is handled, and optionally a recurring schedule. */
export interface JobDefinition<Data extends object> {
  queue: string;
  /** Handle one job. Throwing fails the attempt; pg-boss retries it per the job's retry options. */
  handle(job: JobContext<Data>): Promise<void>;
  /** Jobs fetched per poll and handled concurrently. @default 5 */
  batchSize?: number;
  /** Poll this queue less often than the runner's default (recurring jobs need no promptness). */
  pollingIntervalSeconds?: number;
  /** Defaults for jobs sent to this queue (retries, backoff, expiry); kept in sync at every start. */
  queueOptions?: Omit<PgBoss.Queue, "name">;
  /** A recurring job: pg-boss enqueues one per matching minute across all instances. */
  schedule?: { cron: string; tz?: string; data?: Data };
}

/** Options of the job runner. */
export interface JobRunnerOptions {
  pool: pg.Pool;
  logger: Logger;
  /** How often an idle worker looks for jobs; pg-boss allows 0.5 at least. @default 2 */
  pollingIntervalSeconds?: number;
  /** How long `stop()` waits for jobs in progress before failing them (they are retried later). @default 10000 */
  stopTimeoutMs?: number;
  /** Postgres schema of pg-boss's tables. @default "pgboss" */
  schema?: string;
}

/** Options of one `send`; `db` enqueues inside the caller's transaction. */
export type SendJobOptions = Omit<PgBoss.SendOptions, "db"> & { db?: Queryable };

/**
 * The Postgres-backed job queue (pg-boss) on the app's own pool: no Redis, no second pool, same behaviour on
 * Postgres and on the embedded single-connection database. Define jobs, then start; stop before closing the pool.
 */
export class JobRunner {
  private readonly boss: PgBoss;
  private readonly database: BossDatabase;
  private readonly definitions = new Map<string, JobDefinition<object>>();
  private readonly schema: string;
  private readonly pool: pg.Pool;
  private readonly logger: Logger;
  private readonly pollingIntervalSeconds: number;
  private readonly stopTimeoutMs: number;
  private state: "idle" | "started" | "stopped" = "idle";

  constructor(options: JobRunnerOptions) {
    this.logger = options.logger.child({ component: "jobs" });
    this.pollingIntervalSeconds = Math.max(0.5, options.pollingIntervalSeconds ?? 2);
    this.stopTimeoutMs = options.stopTimeoutMs ?? 10_000;
    this.pool = options.pool;
    this.database = new BossDatabase(options.pool, (error) => this.logger.warn({ err: error }, "job queue bookkeeping failed"));
    this.schema = options.schema ?? "pgboss";
    this.boss = new PgBoss({ db: this.database, schema: this.schema });
    // An unhandled 'error' event would crash the process; pg-boss reports transient failures this way.
    this.boss.on("error", (error) => this.logger.warn({ err: error }, "job queue error"));
  }

  /** Register a kind of job. Call before `start()`. */
  define<Data extends object>(definition: JobDefinition<Data>): void {
    if (this.state !== "idle") throw new Error(`Define job ${definition.queue} before starting the job runner`);
    this.definitions.set(definition.queue, definition);
  }

  /** Install or upgrade pg-boss's schema, create the queues and schedules, and start the workers. */
  async start(): Promise<void> {
    if (this.state !== "idle") return;
    this.state = "started";
    await this.oneInstanceAtATime(async () => {
      await this.boss.start();
      for (const definition of this.definitions.values()) await this.startDefinition(definition);
    });
    this.logger.debug({ queues: [...this.definitions.keys()] }, "job runner started");
  }

  /**
   * Install or upgrade pg-boss's schema and create the queues, without starting workers or schedules: `threadline
   * migrate` does it as the database's owner, so `serve` then only reads and writes (a role with DML rights suffices).
   */
  async install(): Promise<void> {
    const installer = new PgBoss({ db: this.database, schema: this.schema, supervise: false, schedule: false, migrate: true });
    installer.on("error", (error) => this.logger.warn({ err: error }, "job queue error"));
    await this.oneInstanceAtATime(async () => {
      await installer.start();
      // No timers were started (no supervision, no schedules, no workers): nothing to stop.
      for (const { queue, queueOptions } of this.definitions.values()) await installer.createQueue(queue, { name: queue, ...queueOptions });
    });
  }

  /**
   * Instances starting at once on one database install pg-boss and set up the same queues and schedules together,
   * and those statements deadlock or collide (one instance then failed to start): the set-up runs under an advisory
   * lock, held on a connection of its own. Not on a single-connection pool (the embedded database: one process).
   */
  private async oneInstanceAtATime(setUp: () => Promise<void>): Promise<void> {
    if ((this.pool.options.max ?? 10) < 2) return setUp();
    const client = await this.pool.connect();
    try {
      await client.query("SELECT pg_advisory_lock($1)", [JOB_SETUP_LOCK_KEY]);
      try {
        await setUp();
      } finally {
        await client.query("SELECT pg_advisory_unlock($1)", [JOB_SETUP_LOCK_KEY]);
      }
    } finally {
      client.release();
    }
  }

  /** Stop fetching jobs, wait for those in progress (up to the timeout), stop timers. Never closes the pool. */
  async stop(): Promise<void> {
    if (this.state !== "started") {
      this.state = "stopped";
      return;
    }
    this.state = "stopped";
    await this.boss.stop({ graceful: true, wait: true, close: false, timeout: this.stopTimeoutMs });
    // pg-boss does not wait for a worker's poll in flight; the pool must outlive it.
    await this.database.close(this.stopTimeoutMs);
    this.logger.debug("job runner stopped");
  }

  /** Enqueue a job; returns its id, or null when a job with the same `id` or singleton already exists. */
  async send(queue: string, data: object, options: SendJobOptions = {}): Promise<string | null> {
    const { db, ...rest } = options;
    const sendOptions: PgBoss.SendOptions = db ? { ...rest, db: toBossDatabase(db) } : rest;
    return this.boss.send(queue, data, sendOptions);
  }

  /** A job by id (current or archived), for tests and diagnostics. */
  async getJob(queue: string, id: string): Promise<PgBoss.JobWithMetadata | null> {
    return this.boss.getJobById(queue, id, { includeArchive: true });
  }

  private async startDefinition(definition: JobDefinition<object>): Promise<void> {
    const { queue } = definition;
    const queueOptions = { name: queue, ...definition.queueOptions };
    // createQueue ignores existing queues; updateQueue keeps their defaults in line with the current config.
    await this.boss.createQueue(queue, queueOptions);
    await this.boss.updateQueue(queue, queueOptions);
    if (definition.schedule) {
      await this.boss.schedule(queue, definition.schedule.cron, definition.schedule.data ?? {}, { tz: definition.schedule.tz ?? "UTC" });
    }
    const pollingIntervalSeconds = Math.max(this.pollingIntervalSeconds, definition.pollingIntervalSeconds ?? 0);
    const workOptions = { batchSize: definition.batchSize ?? 5, includeMetadata: true as const, pollingIntervalSeconds };
    await this.boss.work<object>(queue, workOptions, (jobs) => this.handleBatch(definition, jobs));
  }

  /**
   * Handle a fetched batch concurrently, then complete the jobs that succeeded and fail each failed one on its
   * own (pg-boss would fail and retry the whole batch for one bad job). A job whose bookkeeping fails stays
   * active until it expires, then runs again: handlers are idempotent.
   */
  private async handleBatch(definition: JobDefinition<object>, jobs: PgBoss.JobWithMetadata<object>[]): Promise<void> {
    const succeeded: string[] = [];
    await Promise.all(
      jobs.map(async (job) => {
        const context = { id: job.id, queue: job.name, data: job.data, attempt: job.retryCount + 1, retryLimit: job.retryLimit };
        try {
          await definition.handle(context);
          succeeded.push(job.id);
        } catch (error) {
          this.logger.warn({ err: error, queue: job.name, jobId: job.id, attempt: context.attempt }, "job attempt failed");
          await this.boss.fail(job.name, job.id, { message: error instanceof Error ? error.message : String(error) }).catch((failure: unknown) => {
            this.logger.error({ err: failure, queue: job.name, jobId: job.id }, "could not record a failed job");
          });
        }
      }),
    );
    if (succeeded.length === 0) return;
    await this.boss.complete(definition.queue, succeeded).catch((error: unknown) => {
      this.logger.error({ err: error, queue: definition.queue, jobIds: succeeded }, "could not record completed jobs");
    });
  }
}

/** Advisory lock key of the job queue's set-up ("thrjob" in ASCII). */
const JOB_SETUP_LOCK_KEY = 0x7468_726a_6f62;
