import { z } from "zod";
import { AssistantService } from "../assistants/assistant-service.js";
import type { RunConfig } from "./run.js";
import { graphOwnConfigurable } from "./run-configurable.js";

/**
 * `interrupt_before` / `interrupt_after` as LangGraph clients send them: node names, or "*" for every node. A list
 * holding "*" means every node too (LangGraph itself would match no node named "*" and never stop).
 */
export const breakpointListSchema = z
  .union([z.literal("*"), z.array(z.string().max(200)).max(100)])
  .transform((list): "*" | string[] => (Array.isArray(list) && list.includes("*") ? "*" : list));

/** When a run's checkpoints are written (LangGraph's `durability`), as run requests, `run.start` and crons take it. */
export const durabilitySchema = z.enum(["sync", "async", "exit"]);

/** When a run's checkpoints are written (LangGraph's `durability`). */
export type RunDurability = z.infer<typeof durabilitySchema>;

/**
 * A run's own settings from LangGraph's request fields: `context` and `config.configurable` override the
 * assistant's settings, `config.configurable`'s other keys go to the graph, `config.recursion_limit` bounds the run, `durability` (or the older `checkpoint_during`:
 * false = "exit") says when its checkpoints are written, `stream_subgraphs` whether its subgraphs' output is stored
 * for its streams; undefined when the request sets none. Shared by run
 * requests and the runs a cron fires.
 */
export function runConfigFrom(request: {
  config?: { configurable?: Record<string, unknown>; recursion_limit?: unknown } | null;
  context?: Record<string, unknown> | null;
  durability?: RunDurability;
  checkpoint_during?: boolean;
  stream_subgraphs?: boolean;
}): RunConfig | undefined {
  const settings = AssistantService.runSettingOverrides(request);
  const configurable = graphOwnConfigurable(request.config?.configurable);
  const recursionLimit = typeof request.config?.recursion_limit === "number" ? request.config.recursion_limit : undefined;
  const durability = request.durability ?? (request.checkpoint_during === undefined ? undefined : request.checkpoint_during ? "async" : "exit");
  // Only `true` is kept: false is the default, and most runs store no config at all.
  const subgraphs = request.stream_subgraphs === true;
  if (!settings && !configurable && recursionLimit === undefined && durability === undefined && !subgraphs) return undefined;
  return {
    ...(settings ? { settings } : {}),
    ...(configurable ? { configurable } : {}),
    ...(recursionLimit !== undefined ? { recursion_limit: recursionLimit } : {}),
    ...(durability !== undefined ? { durability } : {}),
    ...(subgraphs ? { stream_subgraphs: true } : {}),
  };
}
