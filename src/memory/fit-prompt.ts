import { AIMessage, type BaseMessage, HumanMessage, SystemMessage, ToolMessage } from "@langchain/core/messages";
import { AppError } from "../errors/app-error.js";
import type { ContextPolicy } from "./context-policy.js";
import { plainText } from "./message-text.js";
import { truncateToTokens } from "./truncate-text.js";

/** A shortened message keeps at least this many tokens of its text. */
const MIN_KEPT_TOKENS = 24;

/**
 * The last line of defence for "the model never receives more than the budget": when folding cannot help (the
 * current turn alone is too big — a huge paste or tool output), shorten message texts in the prompt only (the
 * state and the transcript keep them whole): oldest messages first, then the newest, then the system message.
 * Tool calls and their results all stay, so pairs are never broken.
 */
export function fitPromptToBudget(prompt: readonly BaseMessage[], options: { toolTokens: number; policy: ContextPolicy }): BaseMessage[] {
  const { policy, toolTokens } = options;
  const { tokens } = policy;
  let excess = tokens.prompt(prompt, toolTokens) - policy.budget;
  if (excess <= 0) return [...prompt];
  const fitted = [...prompt];
  for (const index of shrinkOrder(fitted)) {
    const message = fitted[index];
    if (!message || excess <= 0) continue;
    const text = plainText(message);
    const size = tokens.text(text);
    const reducible = size - Math.min(size, MIN_KEPT_TOKENS);
    if (reducible <= 0) continue;
    // A little slack: a cut text can count a token more than its parts at the seams.
    const shortened = withText(message, truncateToTokens(text, size - Math.min(reducible, excess + 4), tokens.counter));
    excess -= tokens.message(message) - tokens.message(shortened);
    fitted[index] = shortened;
  }
  if (excess > 0) {
    const needed = policy.budget + excess;
    // Name the cause: the fixed part (system context and tools), or the messages that must stay (the current turn:
    // many tool rounds, or many messages each kept at its shortest).
    const fixed = tokens.prompt(fitted.filter((message) => SystemMessage.isInstance(message)), toolTokens);
    const cause =
      fixed > policy.budget
        ? `the system context and the tool schemas alone take ${fixed}`
        : `the messages that must stay (the current turn, ${fitted.filter((message) => !SystemMessage.isInstance(message)).length} messages) take ${needed - fixed} even shortened, beside ${fixed} for the system context and tools`;
    throw new AppError(
      "invalid_request",
      `The context budget (${policy.budget} tokens) cannot hold this call: ${cause}; it needs ${needed}. Raise the assistant's context_budget above ${needed} (room for the conversation too), or bind fewer tools`,
      { details: { context_budget: policy.budget, needed, fixed } },
    );
  }
  return fitted;
}

/** Oldest conversation messages first, the newest last but one, the system message last. */
function shrinkOrder(prompt: readonly BaseMessage[]): number[] {
  const conversation = prompt.map((_, index) => index).filter((index) => prompt[index]?.getType() !== "system");
  const newest = conversation.pop();
  const system = prompt.map((_, index) => index).filter((index) => prompt[index]?.getType() === "system");
  return [...conversation, ...(newest === undefined ? [] : [newest]), ...system];
}

/** The same message with other text (ids, names, tool calls and results kept). */
function withText(message: BaseMessage, text: string): BaseMessage {
  const base = { id: message.id, name: message.name, content: text };
  if (AIMessage.isInstance(message)) return new AIMessage({ ...base, tool_calls: message.tool_calls });
  if (ToolMessage.isInstance(message)) return new ToolMessage({ ...base, tool_call_id: message.tool_call_id, status: message.status });
  if (HumanMessage.isInstance(message)) return new HumanMessage(base);
  if (SystemMessage.isInstance(message)) return new SystemMessage(base);
  return message;
}
