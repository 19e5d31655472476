import type { MessageTokens } from "./message-tokens.js";

/** A tool as bound to a chat model (OpenAI function format). */
export interface ToolSchema {
  type: "function";
  function: { name: string; description: string; parameters: unknown };
}

const counted = new WeakMap<ToolSchema, Map<string, number>>();

/**
 * A model that does not send tool schemas as they are but writes them into its prompt in words of its own (the
 * embedded model's tool-decision instructions): the budget counts that text instead.
 */
export interface ToolPromptModel {
  /** The text the model adds to a call's prompt for these tools; undefined when it sends the schemas as they are. */
  toolPrompt(tools: readonly ToolSchema[]): string | undefined;
}

/** Whether a model object offers `toolPrompt()`. */
export function isToolPromptModel(model: unknown): model is ToolPromptModel {
  return typeof (model as { toolPrompt?: unknown } | null)?.toolPrompt === "function";
}

/** Tokens the bound tools take in a call of this model: its own tool prompt when it has one, else the schemas. */
export function boundToolTokens(model: unknown, tools: readonly ToolSchema[], tokens: MessageTokens): number {
  if (tools.length === 0) return 0;
  const prompt = isToolPromptModel(model) ? model.toolPrompt(tools) : undefined;
  // The prompt joins the system message after a blank line: its text plus the separator.
  // The same instructions call after call: counted once (recurringText caches by text).
  return prompt === undefined ? toolSchemaTokens(tools, tokens) : tokens.recurringText(`\n\n${prompt}`);
}

/** Tokens the bound tools' schemas take in every call (providers send them as part of the prompt). */
export function toolSchemaTokens(tools: readonly ToolSchema[], tokens: MessageTokens): number {
  let total = 0;
  for (const tool of tools) {
    let byCounter = counted.get(tool);
    if (!byCounter) {
      byCounter = new Map();
      counted.set(tool, byCounter);
    }
    let size = byCounter.get(tokens.counter.name);
    if (size === undefined) {
      size = tokens.text(JSON.stringify(tool)) + 1;
      byCounter.set(tokens.counter.name, size);
    }
    total += size;
  }
  return total;
}
