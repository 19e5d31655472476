import { AssistantService } from "../../assistants/assistant-service.js";
import type { SubmitRunRequest } from "../run-ports.js";
import type { CronPayload } from "./cron.js";

/** What a cron's payload asks of each firing's run, beyond its input. */
export type CronRunOptions = Pick<SubmitRunRequest, "config" | "interrupt_before" | "interrupt_after">;

/**
 * The run options stored in a cron's payload, in the run core's terms: `context` and `config.configurable` become
 * the run's setting overrides (as on `POST /threads/{id}/runs`), `config.recursion_limit` its step limit.
 */
export function cronRunOptions(payload: CronPayload): CronRunOptions {
  const config = isRecord(payload.config) ? payload.config : undefined;
  const context = isRecord(payload.context) ? payload.context : undefined;
  const settings = AssistantService.runSettingOverrides({ config, context });
  const recursionLimit = typeof config?.recursion_limit === "number" ? config.recursion_limit : undefined;
  const options: CronRunOptions = {};
  if (settings || recursionLimit !== undefined) options.config = { ...(settings ? { settings } : {}), ...(recursionLimit !== undefined ? { recursion_limit: recursionLimit } : {}) };
  if (isNodeList(payload.interrupt_before)) options.interrupt_before = payload.interrupt_before;
  if (isNodeList(payload.interrupt_after)) options.interrupt_after = payload.interrupt_after;
  return options;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isNodeList(value: unknown): value is "*" | string[] {
  return value === "*" || (Array.isArray(value) && value.every((item) => typeof item === "string"));
}
