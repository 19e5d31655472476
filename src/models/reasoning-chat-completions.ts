import type { CallbackManagerForLLMRun } from "@langchain/core/callbacks/manager";
import type { BaseLanguageModelInput, StructuredOutputMethodOptions } from "@langchain/core/language_models/base";
import type { ChatModelStreamEvent } from "@langchain/core/language_models/event";
import { AIMessage, type BaseMessage } from "@langchain/core/messages";
import type { ChatGenerationChunk, ChatResult } from "@langchain/core/outputs";
import type { Runnable } from "@langchain/core/runnables";
import { ChatOpenAICompletions } from "@langchain/openai";
import type { OpenAI } from "openai";
import { type FormatRefusals, withJsonObjectFallback } from "./json-object-fallback.js";
import { withWholeSurrogatePairs } from "./whole-surrogate-pairs.js";

/** Where a call's reasoning history rides from the call to its request (call options and client request options). */
const REASONING_HISTORY = Symbol("threadline.reasoningHistory");

/** An assistant message with tool calls as the call received it: its calls' ids, and the reasoning that wrote them. */
interface ToolCallingReply {
  ids: string[];
  reasoning: string | undefined;
}

type RequestOptions = OpenAI.RequestOptions & { [REASONING_HISTORY]?: ToolCallingReply[] };
/** A schema as LangChain's structured output takes it (zod, a standard schema, or JSON schema). */
type SchemaInput = Parameters<ChatOpenAICompletions["withStructuredOutput"]>[0];
type CompletionRequest = OpenAI.Chat.ChatCompletionCreateParamsStreaming | OpenAI.Chat.ChatCompletionCreateParamsNonStreaming;

/**
 * Chat completions for an OpenAI-compatible endpoint, with the reasoning models' conventions LangChain leaves out.
 * An assistant message with tool calls is sent with its `reasoning_content`: DeepSeek's thinking mode (and Kimi's)
 * refuse every later request without it (`400 Missing reasoning_content field in the assistant message at message
 * index 1`), so one tool call broke the thread for good; a reply without tool calls is sent without it (DeepSeek
 * ignores it there, its legacy R1 refused it). A structured answer falls back from `json_schema` to `json_object` where
 * the endpoint refuses the former (DeepSeek). Reasoning streamed as `reasoning` (newer vLLM, Ollama's /v1,
 * OpenRouter) is kept as `reasoning_content`, as DeepSeek's is (LangChain reads only that name). And a text delta
 * never ends inside a surrogate pair (`withWholeSurrogatePairs`).
 */
export class ReasoningChatCompletions extends ChatOpenAICompletions {
  private readonly refusals: FormatRefusals = { jsonSchema: false };

  override withStructuredOutput<RunOutput extends object = Record<string, unknown>>(
    schema: SchemaInput,
    config?: StructuredOutputMethodOptions<false>,
  ): Runnable<BaseLanguageModelInput, RunOutput>;
  override withStructuredOutput<RunOutput extends object = Record<string, unknown>>(
    schema: SchemaInput,
    config?: StructuredOutputMethodOptions<true>,
  ): Runnable<BaseLanguageModelInput, { raw: BaseMessage; parsed: RunOutput }>;
  override withStructuredOutput(schema: SchemaInput, config?: StructuredOutputMethodOptions<boolean>): Runnable<BaseLanguageModelInput, unknown> {
    const jsonSchema = super.withStructuredOutput(schema, config);
    // A method asked for by name, or the raw reply with the parsed one, is LangChain's to give as it is.
    if (config?.method !== undefined || config?.includeRaw) return jsonSchema;
    const jsonObject = super.withStructuredOutput(schema, { ...config, method: "jsonMode" });
    return withJsonObjectFallback({ jsonSchema, jsonObject, schema, refusals: this.refusals });
  }

  override _generate(messages: BaseMessage[], options: this["ParsedCallOptions"], runManager?: CallbackManagerForLLMRun): Promise<ChatResult> {
    return super._generate(messages, withReasoningHistory(options, messages), runManager);
  }

  override _streamResponseChunks(messages: BaseMessage[], options: this["ParsedCallOptions"], runManager?: CallbackManagerForLLMRun): AsyncGenerator<ChatGenerationChunk> {
    return super._streamResponseChunks(messages, withReasoningHistory(options, messages), runManager);
  }

  override _streamChatModelEvents(messages: BaseMessage[], options: this["ParsedCallOptions"], runManager?: CallbackManagerForLLMRun): AsyncGenerator<ChatModelStreamEvent> {
    return super._streamChatModelEvents(messages, withReasoningHistory(options, messages), runManager);
  }

  override completionWithRetry(request: OpenAI.Chat.ChatCompletionCreateParamsStreaming, requestOptions?: OpenAI.RequestOptions): Promise<AsyncIterable<OpenAI.Chat.Completions.ChatCompletionChunk>>;
  override completionWithRetry(request: OpenAI.Chat.ChatCompletionCreateParamsNonStreaming, requestOptions?: OpenAI.RequestOptions): Promise<OpenAI.Chat.Completions.ChatCompletion>;
  override async completionWithRetry(
    request: CompletionRequest,
    requestOptions?: RequestOptions,
  ): Promise<AsyncIterable<OpenAI.Chat.Completions.ChatCompletionChunk> | OpenAI.Chat.Completions.ChatCompletion> {
    const { [REASONING_HISTORY]: history, ...clientOptions } = requestOptions ?? {};
    const sent = { ...request, messages: withToolCallReasoning(request.messages, history ?? []) };
    if (sent.stream) return withWholeSurrogatePairs(reasoningNamedOnce(await super.completionWithRetry(sent, clientOptions)));
    const completion = await super.completionWithRetry(sent, clientOptions);
    for (const choice of completion.choices) renameReasoning(choice.message as unknown as Record<string, unknown>);
    return completion;
  }
}

/**
 * The call options with the call's tool-calling replies attached where `completionWithRetry` finds them: a streamed
 * call passes its options on as they are, a non-streamed one only their `options` (the client's request options).
 */
function withReasoningHistory<T extends { options?: OpenAI.RequestOptions }>(options: T, messages: BaseMessage[]): T {
  const history = toolCallingReplies(messages);
  if (history.length === 0) return options;
  return { ...options, [REASONING_HISTORY]: history, options: { ...options.options, [REASONING_HISTORY]: history } };
}

function toolCallingReplies(messages: BaseMessage[]): ToolCallingReply[] {
  return messages.flatMap((message) => {
    if (!AIMessage.isInstance(message) || !message.tool_calls?.length) return [];
    const reasoning = message.additional_kwargs.reasoning_content;
    return [{ ids: message.tool_calls.map((call) => call.id ?? ""), reasoning: typeof reasoning === "string" && reasoning !== "" ? reasoning : undefined }];
  });
}

/**
 * The request's messages with each tool-calling reply's reasoning, matched in order by its calls' ids (LangChain
 * converts messages one for one and in order, but an audio reply becomes two: the ids keep the match exact).
 */
function withToolCallReasoning(messages: OpenAI.Chat.ChatCompletionMessageParam[], history: ToolCallingReply[]): OpenAI.Chat.ChatCompletionMessageParam[] {
  if (history.length === 0) return messages;
  let next = 0;
  return messages.map((message) => {
    if (message.role !== "assistant" || !message.tool_calls?.length) return message;
    const ids = message.tool_calls.map((call) => call.id);
    const found = history.findIndex((reply, index) => index >= next && reply.ids.join("\n") === ids.join("\n"));
    if (found < 0) return message;
    next = found + 1;
    const reasoning = history[found]?.reasoning;
    return reasoning === undefined ? message : ({ ...message, reasoning_content: reasoning } as OpenAI.Chat.ChatCompletionMessageParam);
  });
}

/** A stream whose deltas carry reasoning as `reasoning_content` whichever name the server used. */
async function* reasoningNamedOnce(chunks: AsyncIterable<OpenAI.Chat.Completions.ChatCompletionChunk>): AsyncGenerator<OpenAI.Chat.Completions.ChatCompletionChunk> {
  for await (const chunk of chunks) {
    for (const choice of chunk.choices ?? []) renameReasoning(choice.delta as unknown as Record<string, unknown> | undefined);
    yield chunk;
  }
}

/** `reasoning` (vLLM 0.10+, Ollama's /v1, OpenRouter) read as `reasoning_content`, unless the server sent both. */
function renameReasoning(message: Record<string, unknown> | undefined): void {
  if (!message || typeof message.reasoning !== "string" || message.reasoning_content !== undefined) return;
  message.reasoning_content = message.reasoning;
}
