import type { MessageTokens } from "./message-tokens.js";

/** A tool as bound to a chat model (OpenAI function format). */
export interface ToolSchema {
  type: "function";
  function: { name: string; description: string; parameters: unknown };
}

const counted = new WeakMap<ToolSchema, Map<string, number>>();

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
