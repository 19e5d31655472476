import { AIMessage, type BaseMessage, HumanMessage } from "@langchain/core/messages";
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
 * it came. With `shaped`, a call for an answer's `response_shape` by an `anthropic:` model ends with a user turn.
 */
export function providerMessages(messages: BaseMessage[], options: { spec: string; shaped?: boolean }): BaseMessage[] {
  const named = withProviderSafeNames(messages);
  const sent = named.some(isEmptyReply) ? named.filter((message) => !isEmptyReply(message)) : named;
  const last = sent.at(-1);
  if (options.shaped && options.spec.startsWith("anthropic:") && last !== undefined && AIMessage.isInstance(last)) return [...sent, new HumanMessage(SHAPED_ANSWER_REQUEST)];
  return sent;
}

function isEmptyReply(message: BaseMessage): boolean {
  if (!AIMessage.isInstance(message) || (message.tool_calls?.length ?? 0) > 0) return false;
  const { content } = message;
  if (typeof content === "string") return content.trim() === "";
  return content.every((part) => part.type === "text" && typeof part.text === "string" && part.text.trim() === "");
}
