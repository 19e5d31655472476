import { z } from "zod";
import { AppError } from "../../errors/app-error.js";
import { breakpointListSchema, durabilitySchema } from "../../runs/run-config.js";
import { webhookUrlSchema } from "../webhooks/webhook-url.js";

const metadata = z.record(z.string(), z.unknown());
const textPart = z.looseObject({ type: z.literal("text"), text: z.string() });

/** One user message as LangGraph clients send it: `{role: "user"}` or `{type: "human"}`, text or text parts. */
const userMessage = z
  .looseObject({
    role: z.enum(["user", "human"]).optional(),
    type: z.literal("human").optional(),
    content: z.union([z.string().min(1).max(100_000), z.array(textPart).min(1)]),
  })
  .refine((message) => message.role !== undefined || message.type !== undefined, { message: "a message needs role \"user\" (or type \"human\")" })
  .transform((message) => ({
    role: "user" as const,
    content: typeof message.content === "string" ? message.content : message.content.map((part) => part.text).join(""),
  }));

/** Each firing's run settings, as on a run: `context` and `config.configurable` override the assistant's. */
export const cronRunFields = z.object({
  context: metadata.nullable().optional(),
  config: z.looseObject({ configurable: metadata.optional(), recursion_limit: z.number().int().positive().optional() }).nullable().optional(),
  interrupt_before: breakpointListSchema.nullable().optional(),
  interrupt_after: breakpointListSchema.nullable().optional(),
  durability: durabilitySchema.optional(),
  checkpoint_during: z.boolean().optional(),
});

/**
 * A cron's run input, as a run's: the user messages each firing sends, and the graph's own keys beside them
 * (`{topic: "cats"}` for a graph without messages; checked against the graph when the cron is saved).
 */
export const cronInputSchema = z
  .looseObject({ messages: z.array(userMessage).min(1).max(20).optional() })
  .refine((input) => Object.keys(input).length > 0, { message: "input needs messages or the graph's own keys (or send null)" })
  .transform(({ messages, ...values }) => ({ messages: messages ?? [], ...(Object.keys(values).length > 0 ? { values } : {}) }));

/** The fields of a cron request (shared by the HTTP bodies and the WebSocket `cron.*` params). */
export const cronFields = {
  schedule: z.string().min(1).max(200),
  timezone: z.string().min(1).max(100).nullable().optional(),
  input: cronInputSchema.nullable().optional(),
  metadata: metadata.optional(),
  webhook: webhookUrlSchema.nullable().optional(),
  multitask_strategy: z.enum(["reject", "enqueue", "interrupt", "rollback"]).optional(),
  on_run_completed: z.enum(["delete", "keep"]).optional(),
  enabled: z.boolean().optional(),
  end_time: z.iso.datetime({ offset: true }).nullable().optional(),
  ...cronRunFields.shape,
};

/**
 * `POST /threads/{id}/runs/crons` and `POST /runs/crons` (LangGraph's CronsCreatePayload). `context`, `config`
 * and `interrupt_before/after` apply to every firing's run; other run fields (stream_mode, …) are kept in `payload`.
 */
export const createCronBody = z.looseObject({ assistant_id: z.string().min(1).max(200).optional(), ...cronFields });

/** A parsed cron creation request. */
export type CreateCronRequest = z.output<typeof createCronBody>;

/** `PATCH /runs/crons/{id}`: every field optional; `end_time: null` clears it. */
export const updateCronBody = z.looseObject({ ...cronFields, schedule: cronFields.schedule.optional() });

/** A parsed cron update. */
export type UpdateCronRequest = z.output<typeof updateCronBody>;

/** Every field LangGraph's `CronSelectField` names (`@langchain/langgraph-sdk` schema). */
export const CRON_SELECT_FIELDS = [
  "cron_id", "assistant_id", "thread_id", "end_time", "schedule", "created_at", "updated_at", "user_id", "payload", "next_run_date", "metadata", "now", "timezone", "enabled", "on_run_completed",
] as const;

/** Select names Threadline's crons do not have, with why (`assertSupportedCronSelect`). */
const UNSUPPORTED_CRON_FIELDS: Partial<Record<(typeof CRON_SELECT_FIELDS)[number], string>> = {
  now: "a cron answer carries no server time; every cron has next_run_date",
};

const cronFilterFields = {
  assistant_id: z.string().min(1).max(200).optional(),
  thread_id: z.uuid().optional(),
  enabled: z.boolean().optional(),
  metadata: metadata.optional(),
};

// Strict like thread and assistant search: a parameter we do not know answers 400 instead of being dropped, which
// would answer a different question than the client asked.

/** `POST /runs/crons/search` (LangGraph's CronSearch). `select` keeps only those fields of each cron. */
export const searchCronsBody = z.strictObject({
  ...cronFilterFields,
  limit: z.number().int().min(1).max(1000).default(10),
  offset: z.number().int().min(0).default(0),
  sort_by: z.enum(["cron_id", "assistant_id", "thread_id", "created_at", "updated_at", "next_run_date"]).default("created_at"),
  sort_order: z.enum(["asc", "desc"]).default("desc"),
  select: z.array(z.enum(CRON_SELECT_FIELDS)).min(1).optional(),
});

/** A parsed cron search. */
export type SearchCronsRequest = z.output<typeof searchCronsBody>;

/** Refuse select names LangGraph has and Threadline's crons do not (`invalid_request`, saying why). */
export function assertSupportedCronSelect(request: Pick<SearchCronsRequest, "select">): void {
  for (const field of request.select ?? []) {
    const why = UNSUPPORTED_CRON_FIELDS[field];
    if (why) throw new AppError("invalid_request", `${field} is not supported in select: ${why}`);
  }
}

/** `POST /runs/crons/count`: the search filters, without paging or select. */
export const countCronsBody = z.strictObject(cronFilterFields);
