import type { AIMessageChunk } from "@langchain/core/messages";

type ToolCalls = NonNullable<AIMessageChunk["tool_calls"]>;
type InvalidToolCalls = NonNullable<AIMessageChunk["invalid_tool_calls"]>;

/**
 * A streamed reply's tool calls, with every call whose argument text as sent is not JSON among the invalid ones.
 * LangChain parses streamed arguments as *partial* JSON, so text cut off mid-way (`{"expression": "2+2`, a server
 * that stopped early and said `stop`, or a small model's broken JSON) became a call with repaired arguments that
 * ran. Calls are matched to their streamed chunks by id and name, in order (ids may repeat); empty argument text is
 * a call without arguments, as LangChain reads it.
 */
export function strictToolCalls(message: AIMessageChunk): { tool_calls: ToolCalls; invalid_tool_calls: InvalidToolCalls } {
  const calls = message.tool_calls ?? [];
  const invalid = [...(message.invalid_tool_calls ?? [])];
  const chunks = [...(message.tool_call_chunks ?? [])];
  if (calls.length === 0 || chunks.length === 0) return { tool_calls: calls, invalid_tool_calls: invalid };
  const valid: ToolCalls = [];
  for (const call of calls) {
    const index = chunks.findIndex((chunk) => chunk.id === call.id && chunk.name === call.name);
    const raw = index >= 0 ? chunks.splice(index, 1)[0]?.args : undefined;
    if (raw === undefined || raw === "" || isJson(raw)) valid.push(call);
    else invalid.push({ type: "invalid_tool_call", id: call.id, name: call.name, args: raw, error: "the arguments end before their JSON does (cut off?)" });
  }
  return { tool_calls: valid, invalid_tool_calls: invalid };
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
