import { assistantSettingsSchema } from "../assistants/assistant-settings.js";
import type { Assistant } from "../assistants/assistant.js";
import type { GraphScope } from "../registry/graph-registry.js";
import type { Run } from "./run.js";

/**
 * `configurable` keys Threadline sets itself, which an assistant's or a run's `config.configurable` cannot set (they
 * are ignored there): the run's ids, as LangGraph Platform sets them; the checkpoint the run reads (a request names it
 * with `checkpoint_id`, a replay); LangGraph's and Threadline's internal `__` keys; and LangGraph's `langgraph_`
 * keys (the authenticated user on Platform).
 */
const RESERVED_KEYS: ReadonlySet<string> = new Set(["thread_id", "run_id", "assistant_id", "graph_id", "user_id", "checkpoint_id", "checkpoint_ns", "checkpoint_map"]);

/** Whether a `configurable` key is one Threadline sets itself (`RESERVED_KEYS`, `__…`, `langgraph_…`). */
export function isReservedConfigurableKey(key: string): boolean {
  return RESERVED_KEYS.has(key) || key.startsWith("__") || key.startsWith("langgraph_");
}

/**
 * The keys of an assistant's or a run's `config.configurable` that are the graph's own: not Threadline's settings
 * (those are read into the settings, and reach the graph in `config.context`) nor reserved. Undefined for none.
 */
export function graphOwnConfigurable(configurable: Record<string, unknown> | null | undefined): Record<string, unknown> | undefined {
  const own = Object.entries(configurable ?? {}).filter(([key]) => !Object.hasOwn(assistantSettingsSchema.shape, key) && !isReservedConfigurableKey(key));
  return own.length > 0 ? Object.fromEntries(own) : undefined;
}

/**
 * What a run's graph gets in `configurable` (its factory, and every node): the assistant's own keys with the run's
 * over them, then the run's thread, assistant, graph, run and user ids — as LangGraph Platform passes them.
 */
export function runConfigurable(run: Run, assistant: Pick<Assistant, "graph_id" | "config">): GraphScope & { graph_id: string } & Record<string, unknown> {
  return {
    ...graphOwnConfigurable(assistant.config.configurable),
    ...graphOwnConfigurable(run.config?.configurable),
    thread_id: run.thread_id,
    assistant_id: run.assistant_id,
    graph_id: assistant.graph_id,
    run_id: run.run_id,
    user_id: run.user_id,
  };
}

/** A run's super-step limit: its own `config.recursion_limit`, else its assistant's; undefined for LangGraph's default. */
export function recursionLimitOf(run: Run, assistant: Pick<Assistant, "config">): number | undefined {
  const limit = run.config?.recursion_limit ?? assistant.config.recursion_limit;
  // An assistant saved before its recursion_limit was checked may hold anything there.
  return typeof limit === "number" && Number.isInteger(limit) && limit > 0 ? limit : undefined;
}
