import { AIMessage } from "@langchain/core/messages";
import { END, type LangGraphRunnableConfig, MessagesAnnotation, START, StateGraph } from "@langchain/langgraph";

/** A value as JSON would carry it, or the class of an object JSON cannot (a model, a pool): `[FakeChatModel]`. */
function shown(value: unknown): unknown {
  if (typeof value !== "object" || value === null || Array.isArray(value) || Object.getPrototypeOf(value) === Object.prototype) return value;
  return `[${value.constructor.name}]`;
}

/** What a node or factory was given: `context` key by key, and `configurable` without LangGraph's `__` keys. */
function described(config: { context?: unknown; configurable?: Record<string, unknown> }) {
  const context = Object.fromEntries(Object.entries((config.context ?? {}) as Record<string, unknown>).map(([key, value]) => [key, shown(value)]));
  const configurable = Object.fromEntries(Object.entries(config.configurable ?? {}).filter(([key]) => !key.startsWith("__") && !key.startsWith("checkpoint_")));
  return { context, configurable };
}

function echoGraph(factory?: ReturnType<typeof described>) {
  return new StateGraph(MessagesAnnotation)
    .addNode("echo", (_state, config: LangGraphRunnableConfig) => ({ messages: [new AIMessage(JSON.stringify({ node: described(config), factory }))] }))
    .addEdge(START, "echo")
    .addEdge("echo", END)
    .compile();
}

/** A developer's graph answering with what its node was given (`config.context`, `config.configurable`) as JSON. */
export const graph = echoGraph();

/** The same as a factory (`(config) => graph`): it answers with what the factory was given too. */
export function factory(config: { configurable?: Record<string, unknown>; context?: unknown }) {
  return echoGraph(described(config));
}
