import { z } from "zod";
import type { User } from "../auth/user.js";
import { cronFields } from "../jobs/cron/cron-requests.js";
import type { JobServices } from "../jobs/job-system.js";

const assistantId = z.string().min(1).max(200);

/** Parameters of the `cron.*` WebSocket methods (unknown keys rejected, like every other method). */
export const CRON_METHOD_PARAMS = {
  /** With `thread_id`: a cron on that thread; without: stateless (each firing on a new thread; needs assistant_id). */
  "cron.create": z.strictObject({ thread_id: z.uuid().optional(), assistant_id: assistantId.optional(), ...cronFields }),
  "cron.search": z.strictObject({
    assistant_id: assistantId.optional(),
    thread_id: z.uuid().optional(),
    enabled: z.boolean().optional(),
    metadata: z.record(z.string(), z.unknown()).optional(),
    limit: z.number().int().min(1).max(100).default(20),
    offset: z.number().int().min(0).default(0),
    sort_by: z.enum(["cron_id", "assistant_id", "thread_id", "created_at", "updated_at", "next_run_date"]).default("created_at"),
    sort_order: z.enum(["asc", "desc"]).default("desc"),
  }),
  "cron.update": z.strictObject({ cron_id: z.uuid(), ...cronFields, schedule: cronFields.schedule.optional() }),
  "cron.delete": z.strictObject({ cron_id: z.uuid() }),
} as const;

/** The cron method names. */
export type CronMethodName = keyof typeof CRON_METHOD_PARAMS;

/** Validated params of a cron method. */
export type CronMethodParams<Name extends CronMethodName> = z.output<(typeof CRON_METHOD_PARAMS)[Name]>;

/** What a cron handler needs from the socket: only its user (ClientConnection satisfies it). */
export interface CronMethodConnection {
  user: Pick<User, "id">;
}

type CronHandler<Name extends CronMethodName> = (connection: CronMethodConnection, params: CronMethodParams<Name>, services: Pick<JobServices, "crons">) => Promise<unknown>;

/** One handler per cron method; each is a thin call into the cron service, scoped to the socket's user. */
export const CRON_METHOD_HANDLERS: { [Name in CronMethodName]: CronHandler<Name> } = {
  "cron.create": (connection, params, services) => services.crons.create(connection.user.id, params),
  "cron.search": async (connection, params, services) => ({ crons: await services.crons.search(connection.user.id, params) }),
  "cron.update": (connection, params, services) => {
    const { cron_id: cronId, ...changes } = params;
    return services.crons.update(connection.user.id, cronId, changes);
  },
  "cron.delete": async (connection, params, services) => {
    await services.crons.delete(connection.user.id, params.cron_id);
    return { cron_id: params.cron_id, deleted: true };
  },
};
