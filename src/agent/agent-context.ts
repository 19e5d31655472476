import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import type { ToolContext, ToolDefinition } from "../tools/tool-definition.js";

/**
 * The runtime context every Threadline graph receives (`config.context`): the model and tools chosen by the
 * assistant, already scoped to the run's user. Graphs stay data; the runtime injects these per run.
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

/** Read the agent context from a node's config, failing clearly when a graph runs outside the runtime. */
export function requireAgentContext(config: { context?: unknown }): AgentContext {
  const context = config.context as AgentContext | undefined;
  if (!context?.model) throw new Error("This graph needs Threadline's AgentContext (config.context)");
  return context;
}
