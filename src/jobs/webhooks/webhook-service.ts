import type pg from "pg";
import type { Queryable } from "../../db/database.js";
import type { RunFinishWriter } from "../../runs/run-hooks.js";
import type { Logger } from "../../logger.js";
import type { JobContext, JobDefinition, JobRunner } from "../job-runner.js";
import { JOB_QUEUES } from "../job-queues.js";
import { stableUuid } from "../stable-id.js";
import { type DeliveryResult, deliverWebhook } from "./webhook-delivery.js";
import { buildWebhookPayload, type FinishedRun, type WebhookPayload } from "./webhook-payload.js";
import { isWebhookUrl } from "./webhook-url.js";
import { createGuardedFetch } from "../../outbound/guarded-fetch.js";
import type { OutboundPolicy } from "../../outbound/outbound-policy.js";

/** The data of one delivery job: the payload is captured when the run finishes (its thread may go away). */
export interface WebhookJob {
  run_id: string;
  thread_id: string;
  url: string;
  payload: WebhookPayload;
}

/** Dependencies and settings of webhook delivery. */
export interface WebhookServiceOptions {
  pool: pg.Pool;
  jobs: JobRunner;
  logger: Logger;
  /** Reads the thread's final values for successful runs. */
  threadState: { get(userId: string, threadId: string): Promise<{ values: unknown }> };
  /** HMAC-SHA256 key (WEBHOOK_SECRET); unset sends unsigned webhooks. */
  secret: string | undefined;
  /** Which non-public addresses webhooks may reach (OUTBOUND_ALLOW_PRIVATE, OUTBOUND_ALLOW_HOSTS). */
  outbound: OutboundPolicy;
  /** Attempts before giving up, the first included. @default 5 */
  maxAttempts?: number;
  /** First retry delay; each further retry doubles it (with jitter). @default 10 */
  retryDelaySeconds?: number;
  /** Per-attempt timeout. @default 10000 */
  timeoutMs?: number;
}

/**
 * Webhooks on run completion: the run's instance enqueues a delivery job (never blocking the run); any instance
 * POSTs it, signed, retrying with exponential backoff through pg-boss; every attempt is logged and recorded in
 * `webhook_attempts`.
 */
export class WebhookService {
  private readonly logger: Logger;
  private readonly settings: { maxAttempts: number; retryDelaySeconds: number; timeoutMs: number };
  private readonly fetch: typeof fetch;
  private warnedUnsigned = false;

  constructor(private readonly options: WebhookServiceOptions) {
    this.logger = options.logger.child({ component: "webhooks" });
    this.settings = { maxAttempts: options.maxAttempts ?? 5, retryDelaySeconds: options.retryDelaySeconds ?? 10, timeoutMs: options.timeoutMs ?? 10_000 };
    this.fetch = createGuardedFetch(options.outbound);
  }

  /** The delivery job kind to register on the runner. */
  definition(): JobDefinition<WebhookJob> {
    return {
      queue: JOB_QUEUES.webhook,
      handle: (job) => this.deliver(job),
      batchSize: 10,
      queueOptions: { retryLimit: this.settings.maxAttempts - 1, retryDelay: this.settings.retryDelaySeconds, retryBackoff: true, expireInSeconds: 60 + Math.ceil(this.settings.timeoutMs / 1000) },
    };
  }

  /**
   * The run-finishing hook: for a run with a webhook, read its final values now (before the final transaction),
   * then enqueue the delivery inside that transaction, so the job exists exactly when the outcome does — a crash
   * can lose neither one alone.
   */
  readonly prepareForRun = async (run: Pick<FinishedRun, "run_id" | "user_id" | "thread_id" | "webhook">, status: string): Promise<RunFinishWriter | undefined> => {
    if (!run.webhook) return undefined;
    const values = status === "success" ? await this.readValues(run) : undefined;
    return async (db, finished) => {
      await this.enqueue(finished, { values, db });
    };
  };

  /** Enqueue the webhook of a finished run, if it has one. Returns the job id (null: none or already queued). */
  async enqueue(run: FinishedRun, options: { values?: unknown; db?: Queryable } = {}): Promise<string | null> {
    if (!run.webhook) return null;
    if (!isWebhookUrl(run.webhook)) {
      this.logger.warn({ runId: run.run_id }, "run has an invalid webhook URL; not sending");
      return null;
    }
    const values = "values" in options ? options.values : run.status === "success" ? await this.readValues(run) : undefined;
    const job: WebhookJob = { run_id: run.run_id, thread_id: run.thread_id, url: run.webhook, payload: buildWebhookPayload(run, values) };
    // One delivery per run outcome, even if the outcome is announced twice.
    const id = stableUuid("webhook", run.run_id, run.status, run.finished_at ?? "");
    const { maxAttempts, retryDelaySeconds } = this.settings;
    return this.options.jobs.send(JOB_QUEUES.webhook, job, { id, retryLimit: maxAttempts - 1, retryDelay: retryDelaySeconds, retryBackoff: true, db: options.db });
  }

  /** One delivery attempt; throws to have pg-boss retry it later. */
  private async deliver(job: JobContext<WebhookJob>): Promise<void> {
    const body = JSON.stringify({ ...job.data.payload, webhook_sent_at: new Date().toISOString() });
    // Said when it matters (the first unsigned delivery), not by every process that builds the services (CLI commands).
    if (!this.options.secret && !this.warnedUnsigned) {
      this.warnedUnsigned = true;
      this.logger.warn("WEBHOOK_SECRET is unset: webhooks are sent without a signature");
    }
    const result = await deliverWebhook({ url: job.data.url, body, secret: this.options.secret, deliveryId: job.id, attempt: job.attempt, timeoutMs: this.settings.timeoutMs, fetch: this.fetch });
    const lastAttempt = job.attempt > job.retryLimit;
    const outcome = result.outcome === "delivered" ? "delivered" : result.outcome === "retryable" && !lastAttempt ? "retrying" : "gave_up";
    await this.record(job, result, outcome);
    if (outcome === "retrying") throw new Error(`webhook attempt ${job.attempt} failed: ${result.error ?? "unknown error"}`);
  }

  private async record(job: JobContext<WebhookJob>, result: DeliveryResult, outcome: "delivered" | "retrying" | "gave_up"): Promise<void> {
    const { run_id: runId, thread_id: threadId } = job.data;
    const fields = { runId, jobId: job.id, attempt: job.attempt, statusCode: result.statusCode, durationMs: result.durationMs, outcome };
    if (outcome === "delivered") this.logger.info(fields, "webhook delivered");
    else this.logger.warn({ ...fields, error: result.error }, outcome === "gave_up" ? "webhook delivery gave up" : "webhook attempt failed; will retry");
    await this.options.pool
      .query(
        `INSERT INTO webhook_attempts (run_id, thread_id, url, attempt, status_code, error, duration_ms, outcome)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [runId, threadId, redactUrl(job.data.url), job.attempt, result.statusCode, result.error, result.durationMs, outcome],
      )
      .catch((error: unknown) => this.logger.error({ err: error, runId }, "could not record a webhook attempt"));
  }

  private async readValues(run: Pick<FinishedRun, "run_id" | "user_id" | "thread_id">): Promise<unknown> {
    try {
      return (await this.options.threadState.get(run.user_id, run.thread_id)).values;
    } catch (error) {
      this.logger.warn({ err: error, runId: run.run_id }, "could not read the run's final values for its webhook");
      return undefined;
    }
  }
}

/** The URL without its query string, which often carries a token. */
function redactUrl(url: string): string {
  const parsed = new URL(url);
  return parsed.search ? `${parsed.origin}${parsed.pathname}?…` : `${parsed.origin}${parsed.pathname}`;
}
