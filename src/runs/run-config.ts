import { z } from "zod";
import { AssistantService } from "../assistants/assistant-service.js";
import type { RunConfig } from "./run.js";

/** `interrupt_before` / `interrupt_after` as LangGraph clients send them: node names, or "*" for every node. */
export const breakpointListSchema = z.union([z.literal("*"), z.array(z.string().max(200)).max(100)]);

/**
 * A run's own settings from LangGraph's request fields: `context` and `config.configurable` override the
 * assistant's settings, `config.recursion_limit` bounds the run; undefined when the request sets none. Shared by
 * run requests and the runs a cron fires.
 */
export function runConfigFrom(request: {
  config?: { configurable?: Record<string, unknown>; recursion_limit?: unknown } | null;
  context?: Record<string, unknown> | null;
}): RunConfig | undefined {
  const settings = AssistantService.runSettingOverrides(request);
  const recursionLimit = typeof request.config?.recursion_limit === "number" ? request.config.recursion_limit : undefined;
  if (!settings && recursionLimit === undefined) return undefined;
  return { ...(settings ? { settings } : {}), ...(recursionLimit !== undefined ? { recursion_limit: recursionLimit } : {}) };
}
