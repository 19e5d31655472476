import { AIMessage, type AIMessageChunk } from "@langchain/core/messages";
import type { ChatGenerationChunk, ChatResult } from "@langchain/core/outputs";
import { strictToolCalls } from "./strict-tool-calls.js";

/**
 * A non-streaming call answered by draining the model's own stream, so `invoke` and `stream` share one code path
 * (abort handling, message id, usage, reasoning) and cannot drift apart. The reasoning (`reasoning_content`) is kept
 * as a streamed reply keeps it: DeepSeek's thinking mode wants a tool-calling reply's reasoning back in later calls.
 */
export async function chatResultFromStream(chunks: AsyncIterable<ChatGenerationChunk>): Promise<ChatResult> {
  let aggregate: ChatGenerationChunk | undefined;
  for await (const chunk of chunks) aggregate = aggregate ? aggregate.concat(chunk) : chunk;
  const message = aggregate?.message as AIMessageChunk | undefined;
  const calls = message ? strictToolCalls(message) : undefined;
  const reasoning = message?.additional_kwargs.reasoning_content;
  const reply = new AIMessage({
    id: message?.id,
    content: message?.content ?? "",
    tool_calls: calls?.tool_calls,
    invalid_tool_calls: calls?.invalid_tool_calls,
    usage_metadata: message?.usage_metadata,
    response_metadata: message?.response_metadata,
    additional_kwargs: reasoning !== undefined ? { reasoning_content: reasoning } : {},
  });
  return { generations: [{ text: reply.text, message: reply }] };
}
