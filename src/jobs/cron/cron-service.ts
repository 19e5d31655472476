import { randomUUID } from "node:crypto";
import type pg from "pg";
import { withTransaction } from "../../db/database.js";
import { AppError, notFound } from "../../errors/app-error.js";
import type { AssistantPort, RunSubmitter, ThreadPort } from "../run-ports.js";
import { type Cron, type CronPayload, toCron } from "./cron.js";
import type { CronFiring } from "./cron-firing.js";
import { cronRunOptions } from "./cron-run-options.js";
import type { CreateCronRequest, SearchCronsRequest, UpdateCronRequest } from "./cron-requests.js";
import { assertValidSchedule, nextRunDate } from "./cron-schedule.js";
import type { CronFilter, CronStore } from "./cron-store.js";
import { assertOutboundUrl, type OutboundPolicy } from "../../outbound/outbound-policy.js";

/** Fields of a create/update request that describe the schedule rather than the run each firing submits. */
const SCHEDULE_FIELDS = new Set(["schedule", "timezone", "metadata", "on_run_completed", "enabled", "end_time", "thread_id"]);

/** Dependencies of the cron service. */
export interface CronServiceOptions {
  pool: pg.Pool;
  store: CronStore;
  firing: CronFiring;
  threads: Pick<ThreadPort, "get">;
  assistants: AssistantPort;
  now: () => Date;
  /** Refuses webhooks to non-public addresses when a cron is created or changed; absent checks nothing here (delivery still does). */
  outbound?: OutboundPolicy;
  /** The run core (a getter: it may be built later), to refuse run settings and breakpoints when a cron is saved. */
  runs?: () => Pick<RunSubmitter, "check">;
}

/** Cron use cases shared by HTTP and WebSocket; every method is scoped to the calling user. */
export class CronService {
  constructor(private readonly options: CronServiceOptions) {}

  /**
   * Create a cron on the user's thread (`thread_id`) or a stateless one (each firing gets a new thread).
   * @example await crons.create(userId, { assistant_id: "chat", schedule: "0 9 * * 1-5", timezone: "Europe/Paris", input })
   */
  async create(userId: string, request: CreateCronRequest & { thread_id?: string }): Promise<Cron> {
    assertValidSchedule(request.schedule, request.timezone);
    this.assertWebhook(request.webhook);
    const assistantId = await this.resolveAssistant(userId, request);
    await this.checkRunOptions(userId, assistantId, payloadOf(request));
    const endTime = request.end_time ? new Date(request.end_time) : null;
    const enabled = request.enabled ?? true;
    const next = nextRunDate(request.schedule, { timezone: request.timezone, after: this.options.now(), endTime });
    const stateless = request.thread_id === undefined;
    return withTransaction(this.options.pool, async (client) => {
      const row = await this.options.store
        .insert(
          {
            cronId: randomUUID(),
            userId,
            assistantId,
            threadId: request.thread_id ?? null,
            schedule: request.schedule,
            timezone: request.timezone ?? null,
            payload: { ...payloadOf(request), assistant_id: assistantId },
            metadata: request.metadata ?? {},
            onRunCompleted: stateless ? (request.on_run_completed ?? "delete") : null,
            enabled,
            endTime,
            nextRunDate: next,
          },
          client,
        )
        .catch((error: unknown) => {
          // The thread was deleted between the ownership check and the insert.
          if ((error as { code?: string }).code === "23503") throw notFound("Thread", request.thread_id ?? "");
          throw error;
        });
      if (enabled) await this.options.firing.enqueue(row, client);
      return toCron(row);
    });
  }

  /** The user's crons matching the filter (LangGraph's `POST /runs/crons/search`). */
  async search(userId: string, request: SearchCronsRequest): Promise<Cron[]> {
    return (await this.options.store.search(userId, request)).map(toCron);
  }

  /** How many of the user's crons match. */
  count(userId: string, filter: CronFilter): Promise<number> {
    return this.options.store.count(userId, filter);
  }

  /** One of the user's crons. */
  async get(userId: string, cronId: string): Promise<Cron> {
    return toCron(await this.options.store.get(userId, cronId));
  }

  /** Change a cron; a new schedule, zone, end time or re-enabling recomputes and enqueues the next firing. */
  async update(userId: string, cronId: string, request: UpdateCronRequest): Promise<Cron> {
    this.assertWebhook(request.webhook);
    return withTransaction(this.options.pool, async (client) => {
      const current = await this.options.store.get(userId, cronId, { db: client, lock: true });
      assertSameIdentity(current, request);
      const payload = mergePayload(current.payload, request);
      await this.checkRunOptions(userId, current.assistant_id, payload);
      const schedule = request.schedule ?? current.schedule;
      const timezone = request.timezone === undefined ? current.timezone : request.timezone;
      assertValidSchedule(schedule, timezone);
      const endTime = request.end_time === undefined ? current.end_time : request.end_time ? new Date(request.end_time) : null;
      const enabled = request.enabled ?? current.enabled;
      const retimed = schedule !== current.schedule || timezone !== current.timezone || endTime?.getTime() !== current.end_time?.getTime() || (enabled && !current.enabled);
      const next = retimed ? nextRunDate(schedule, { timezone, after: this.options.now(), endTime }) : current.next_run_date;
      const row = await this.options.store.update(
        { userId, cronId, db: client },
        {
          schedule,
          timezone,
          endTime,
          enabled,
          nextRunDate: next,
          payload,
          metadata: request.metadata,
          onRunCompleted: current.thread_id === null ? request.on_run_completed : undefined,
        },
      );
      if (retimed && enabled) await this.options.firing.enqueue(row, client);
      return toCron(row);
    });
  }

  /** Delete one of the user's crons; a firing already queued for it finds nothing and does nothing. */
  delete(userId: string, cronId: string): Promise<void> {
    return this.options.store.delete(userId, cronId);
  }

  private async resolveAssistant(userId: string, request: CreateCronRequest & { thread_id?: string }): Promise<string> {
    if (request.thread_id !== undefined) {
      const thread = await this.options.threads.get(userId, request.thread_id);
      const assistant = await this.options.assistants.get(userId, request.assistant_id ?? thread.assistant_id);
      return assistant.assistant_id;
    }
    if (!request.assistant_id) throw new AppError("invalid_request", "assistant_id is required for a cron without a thread");
    return (await this.options.assistants.get(userId, request.assistant_id)).assistant_id;
  }

  /** A firing would be refused for these settings, breakpoints or input: say so now, to whoever saves the cron. */
  private async checkRunOptions(userId: string, assistantId: string, payload: CronPayload): Promise<void> {
    const options = { ...cronRunOptions(payload), ...(payload.input ? { input: payload.input } : {}) };
    if (Object.keys(options).length === 0) return;
    await this.options.runs?.().check?.(userId, { assistant_id: assistantId, ...options });
  }

  /** Report a webhook the outbound policy refuses to whoever sets it, not at the first firing. */
  private assertWebhook(webhook: string | null | undefined): void {
    if (webhook && this.options.outbound) assertOutboundUrl(webhook, this.options.outbound, "webhook");
  }
}

/** The run part of a request: everything but the schedule fields, without nulls (null webhook = none). */
function payloadOf(request: Record<string, unknown>): CronPayload {
  const payload: CronPayload = {};
  for (const [key, value] of Object.entries(request)) {
    if (!SCHEDULE_FIELDS.has(key) && value !== undefined && value !== null) payload[key] = value;
  }
  return payload;
}

/** What a cron is and whose: fixed once created (an update naming them is checked, never stored in `payload`). */
const IDENTITY_FIELDS = ["cron_id", "assistant_id", "thread_id", "user_id"] as const;

/**
 * Refuse an update that names another assistant, thread, user or id than the cron's: its firings would go on with
 * the cron's own, so taking it would only look accepted. The same values (a read-modify-write client) pass.
 */
function assertSameIdentity(current: Pick<Cron, (typeof IDENTITY_FIELDS)[number]>, request: Record<string, unknown>): void {
  for (const field of IDENTITY_FIELDS) {
    const value = request[field];
    if (value !== undefined && value !== current[field]) {
      throw new AppError("invalid_request", `A cron's ${field} cannot be changed (it is ${JSON.stringify(current[field])}): create another cron`);
    }
  }
}

function mergePayload(current: CronPayload, request: UpdateCronRequest): CronPayload {
  const changes: Record<string, unknown> = { ...request };
  for (const field of IDENTITY_FIELDS) delete changes[field];
  const merged: CronPayload = { ...current, ...payloadOf(changes) };
  // An explicit null clears the field (e.g. `webhook: null` stops notifications).
  for (const [key, value] of Object.entries(request)) {
    if (value === null && !SCHEDULE_FIELDS.has(key)) delete merged[key];
  }
  return merged;
}
