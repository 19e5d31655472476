import { runConfigFrom } from "../../runs/run-config.js";
import type { SubmitRunRequest } from "../run-ports.js";
import type { CronPayload } from "./cron.js";
import { cronRunFields } from "./cron-requests.js";

/** What a cron's payload asks of each firing's run, beyond its input. */
export type CronRunOptions = Pick<SubmitRunRequest, "config" | "interrupt_before" | "interrupt_after">;

/**
 * The run options stored in a cron's payload, in the run core's terms, read exactly as a run request's are
 * (`runConfigFrom`). The payload was validated with the same fields when the cron was saved; a payload stored
 * before those fields existed and no longer matching them asks for nothing.
 */
export function cronRunOptions(payload: CronPayload): CronRunOptions {
  const parsed = cronRunFields.safeParse(payload);
  if (!parsed.success) return {};
  const { interrupt_before: before, interrupt_after: after } = parsed.data;
  const config = runConfigFrom(parsed.data);
  return { ...(config ? { config } : {}), ...(before ? { interrupt_before: before } : {}), ...(after ? { interrupt_after: after } : {}) };
}
