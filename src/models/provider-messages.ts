import { AIMessage, type BaseMessage, HumanMessage, ToolMessage } from "@langchain/core/messages";
import { withProviderSafeNames } from "./message-names.js";

/**
 * The user turn that ends a shaped answer's prompt for Anthropic: its Messages API takes a final assistant message as
 * the start of the answer to continue (prefill), which Claude 4.6 and later refuse outright ("must end with a user
 * message") and older models refuse when the reply ends in whitespace.
 */
export const SHAPED_ANSWER_REQUEST = "Give your reply above again as the response, in the requested shape, saying nothing new.";

/**
 * The messages as a provider call sends them: speakers' names in a form the provider accepts
 * (`withProviderSafeNames`), and no empty reply — an assistant message with no text and no tool call (Anthropic's
 * `refusal`, an empty `end_turn` after a tool result): Anthropic refuses every later request that carries one ("all
 * messages must have non-empty content"), which would leave the thread unusable for good. The state keeps it as
 * it came. For an `anthropic:` model, a failed tool's result (`status: "error"`: it threw, was refused, could not run)
 * is marked `is_error`, as Anthropic asks (@langchain/anthropic drops the status), and with `shaped`, a call for an
 * answer's `response_shape` ends with a user turn.
 */
export function providerMessages(messages: BaseMessage[], options: { spec: string; shaped?: boolean }): BaseMessage[] {
  const named = withProviderSafeNames(messages);
  const sent = named.some(isEmptyReply) ? named.filter((message) => !isEmptyReply(message)) : named;
  if (!options.spec.startsWith("anthropic:")) return sent;
  const marked = sent.some(isFailedToolResult) ? sent.map((message) => (isFailedToolResult(message) ? failedToolResultForAnthropic(message) : message)) : sent;
  const last = marked.at(-1);
  if (options.shaped && last !== undefined && AIMessage.isInstance(last)) return [...marked, new HumanMessage(SHAPED_ANSWER_REQUEST)];
  return marked;
}

function isFailedToolResult(message: BaseMessage): message is ToolMessage {
  return ToolMessage.isInstance(message) && message.status === "error" && typeof message.content === "string";
}

/** Anthropic's own block for a failed call's result: @langchain/anthropic passes it through, merged with its neighbours. */
function failedToolResultForAnthropic(message: ToolMessage): HumanMessage {
  return new HumanMessage({ content: [{ type: "tool_result", tool_use_id: message.tool_call_id, content: message.content, is_error: true }] });
}

function isEmptyReply(message: BaseMessage): boolean {
  if (!AIMessage.isInstance(message) || (message.tool_calls?.length ?? 0) > 0) return false;
  const { content } = message;
  if (typeof content === "string") return content.trim() === "";
  return content.every((part) => part.type === "text" && typeof part.text === "string" && part.text.trim() === "");
}
