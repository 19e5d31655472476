import { serializeValues } from "../transcript/serialize-values.js";

// What a compiled graph's channels say about its state, for the checks and streams that need it without running it.

/** The state keys of a graph: its channels, without LangGraph's own (`__start__`, branch channels). */
export function stateKeysOf(graph: { channels: Record<string, unknown> }): string[] {
  return Object.keys(graph.channels).filter((name) => !name.startsWith("__") && !name.includes(":"));
}

/**
 * The keys a run's input may set: the graph's input schema's when it declares one (`new StateGraph({state, input})`:
 * LangGraph drops other keys of an input without a word), else its state keys. LangGraph keeps the input schema's
 * channels on the builder (`_inputDefinition`, the map it reads input through).
 */
export function inputKeysOf(graph: { channels: Record<string, unknown>; builder?: unknown }): string[] {
  const state = stateKeysOf(graph);
  const declared = (graph.builder as { _inputDefinition?: unknown } | undefined)?._inputDefinition;
  if (declared === null || typeof declared !== "object") return state;
  const keys = Object.keys(declared).filter((key) => state.includes(key));
  return keys.length > 0 ? keys : state;
}

/** A channel as LangGraph builds one: a fresh copy of it says whether it holds a value before any write. */
interface ChannelLike {
  fromCheckpoint(checkpoint?: unknown): { isAvailable(): boolean; get(): unknown };
}

/**
 * The values a thread's first state holds before anything is written: its channels' defaults (a reducer's initial
 * value, `count: 0`), as LangGraph's first `values` shows them.
 */
export function channelDefaults(graph: { channels: Record<string, unknown> }): Record<string, unknown> {
  const defaults: Record<string, unknown> = {};
  for (const key of stateKeysOf(graph)) {
    const channel = graph.channels[key] as Partial<ChannelLike> | undefined;
    const fresh = typeof channel?.fromCheckpoint === "function" ? channel.fromCheckpoint(undefined) : undefined;
    if (fresh?.isAvailable()) defaults[key] = serializeValues(fresh.get());
  }
  return defaults;
}
