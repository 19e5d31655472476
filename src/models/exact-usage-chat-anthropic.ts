import type { CallbackManagerForLLMRun } from "@langchain/core/callbacks/manager";
import { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { AIMessageChunk, type BaseMessage } from "@langchain/core/messages";
import { ChatGenerationChunk } from "@langchain/core/outputs";
import { ChatAnthropic } from "@langchain/anthropic";

/**
 * `ChatAnthropic` whose streamed usage adds up to what Anthropic bills. Anthropic's `message_start` carries an early
 * `output_tokens` (usually 1) and the final `message_delta` the cumulative count, which already includes it;
 * LangChain reports both, so the reply's summed usage (what a run records) was one token or so too high per call.
 * Here `message_start` reports its input tokens only, and the output is the final count.
 */
export class ExactUsageChatAnthropic extends ChatAnthropic {
  override async *_streamResponseChunks(messages: BaseMessage[], options: this["ParsedCallOptions"], runManager?: CallbackManagerForLLMRun): AsyncGenerator<ChatGenerationChunk> {
    let started = false;
    for await (const chunk of super._streamResponseChunks(messages, options, runManager)) {
      const message = chunk.message as AIMessageChunk;
      const usage = message.usage_metadata;
      // message_start comes first and is the first chunk with usage; every later count includes its output tokens.
      if (started || !usage) {
        yield chunk;
        continue;
      }
      started = true;
      const inputOnly = { ...usage, output_tokens: 0, total_tokens: usage.input_tokens };
      yield new ChatGenerationChunk({
        text: chunk.text,
        generationInfo: chunk.generationInfo,
        message: new AIMessageChunk({
          id: message.id,
          content: message.content,
          additional_kwargs: message.additional_kwargs,
          tool_call_chunks: message.tool_call_chunks,
          response_metadata: message.response_metadata,
          usage_metadata: inputOnly,
        }),
      });
    }
  }

  /** Chat-model stream events from this class's chunks (ChatAnthropic's own events sum the same usage twice). */
  override _streamChatModelEvents(messages: BaseMessage[], options: this["ParsedCallOptions"], runManager?: CallbackManagerForLLMRun): ReturnType<ChatAnthropic["_streamChatModelEvents"]> {
    return BaseChatModel.prototype._streamChatModelEvents.call(this, messages, options, runManager);
  }
}
