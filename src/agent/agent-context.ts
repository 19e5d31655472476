import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import type { ToolContext, ToolDefinition } from "../tools/tool-definition.js";

/**
 * What Threadline's agent nodes (`graphs/chat.ts`) need per run: the model and tools chosen by the assistant,
 * already scoped to the run's user. Graphs stay data; the runtime injects these per run, under
 * `AGENT_CONTEXT_KEY` in `config.configurable` — not in `config.context`, which is the run's context as given.
 */
export interface AgentContext {
  model: BaseChatModel;
  tools: readonly ToolDefinition[];
  toolContext: ToolContext;
  /** The assistant's system context followed by its instructions. */
  systemPrompt?: string;
  /** JSON schema the final answer must match, when the assistant asks for structured output. */
  responseShape?: Record<string, unknown>;
  /**
   * Most tokens one model call may receive (the assistant's `context_budget`); older turns are folded into a
   * running summary to stay within it. @default sized to the model (see src/memory/context-policy.ts)
   */
  contextBudget?: number;
  /** The assistant's model string (`openai:gpt-4o-mini`, `fake`…): picks the tokenizer and the default budget. */
  modelSpec?: string;
  /** Writes the running summary when turns are folded: the model without the assistant's reply cap. @default model */
  summaryModel?: BaseChatModel;
  /** Longest tool result kept, in characters (`TOOL_OUTPUT_MAX_CHARS`). @default DEFAULT_TOOL_OUTPUT_MAX_CHARS */
  toolOutputMaxChars?: number;
}

/**
 * The `config.configurable` key of a run's `AgentContext`. A symbol: it reaches every node and subgraph with the
 * rest of `configurable`, while JSON, `Object.keys` and LangGraph's stream and checkpoint output never see it —
 * the context holds live objects (the model, the database pool) that must not be stored or streamed, and it was
 * once spread into `config.context`, where it hid the run's own keys and exposed the pool to every node.
 * `Symbol.for`: the same key when graph files and the server load this module as two copies.
 */
export const AGENT_CONTEXT_KEY: unique symbol = Symbol.for("threadline.agent_context");

/** `configurable` with the agent context added under `AGENT_CONTEXT_KEY` (the runtime's, and tests' way to pass it). */
export function withAgentContext<T extends object>(configurable: T, context: AgentContext): T & { [AGENT_CONTEXT_KEY]: AgentContext } {
  return { ...configurable, [AGENT_CONTEXT_KEY]: context };
}

/** Read the agent context from a node's config, failing clearly when a graph runs outside the runtime. */
export function requireAgentContext(config: { configurable?: object }): AgentContext {
  const context = (config.configurable as { [AGENT_CONTEXT_KEY]?: AgentContext } | undefined)?.[AGENT_CONTEXT_KEY];
  if (!context?.model) throw new Error("This graph needs Threadline's AgentContext (config.configurable[AGENT_CONTEXT_KEY]): run it through the Threadline runtime");
  return context;
}
