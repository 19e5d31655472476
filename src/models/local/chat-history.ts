import { AIMessage, type BaseMessage, ToolMessage } from "@langchain/core/messages";
import type { ChatHistoryItem } from "node-llama-cpp";
import { renderToolCall } from "./tool-decision.js";

/**
 * LangChain messages as node-llama-cpp chat history, ending with an empty model turn to generate. The chat
 * wrapper then renders it with the model's own template (ChatML for SmolLM2). Roles the template lacks are
 * spelled out: past tool calls as a sentence (`I used the calculator tool (expression: "2^10").`), tool results as
 * a user turn `Tool <name> returned: …`.
 */
export function toChatHistory(messages: readonly BaseMessage[], options: { extraSystem?: string } = {}): ChatHistoryItem[] {
  const system: string[] = [];
  const history: ChatHistoryItem[] = [];
  for (const message of messages) {
    const type = message.getType();
    if (type === "system") system.push(message.text);
    else if (type === "human") history.push({ type: "user", text: message.text });
    else if (type === "tool" || ToolMessage.isInstance(message)) appendUser(history, `Tool ${(message as ToolMessage).name ?? "tool"} returned: ${message.text}`);
    else if (type === "ai") history.push({ type: "model", response: [modelText(message)] });
    else history.push({ type: "user", text: message.text });
  }
  if (options.extraSystem) system.push(options.extraSystem);
  const systemText = system.filter((text) => text.trim().length > 0).join("\n\n");
  return [...(systemText ? [{ type: "system" as const, text: systemText }] : []), ...history, { type: "model", response: [] }];
}

/** Tool rounds (model call → results) since the last user message; bounds how long a small model may loop. */
export function toolRoundsSinceLastUser(messages: readonly BaseMessage[]): number {
  let rounds = 0;
  for (let index = messages.length - 1; index >= 0; index -= 1) {
    const message = messages[index];
    if (!message || message.getType() === "human") break;
    if (AIMessage.isInstance(message) && (message.tool_calls?.length ?? 0) > 0) rounds += 1;
  }
  return rounds;
}

function modelText(message: BaseMessage): string {
  const calls = AIMessage.isInstance(message) ? (message.tool_calls ?? []) : [];
  return [message.text, ...calls.map((call) => renderToolCall(call.name, call.args))].filter((part) => part.length > 0).join("\n");
}

/** Consecutive tool results become one user turn, as the template has no tool role. */
function appendUser(history: ChatHistoryItem[], text: string): void {
  const last = history.at(-1);
  if (last?.type === "user") last.text = `${last.text}\n${text}`;
  else history.push({ type: "user", text });
}
