import { reportQueued } from "../attempt-observer.js";
import { CallbackManager, type CallbackManagerForLLMRun } from "@langchain/core/callbacks/manager";
import type { BaseLanguageModelInput } from "@langchain/core/language_models/base";
import { BaseChatModel, type BaseChatModelCallOptions, type BaseChatModelParams, type BindToolsInput } from "@langchain/core/language_models/chat_models";
import { AIMessage, AIMessageChunk, type BaseMessage, HumanMessage } from "@langchain/core/messages";
import { type ChatGeneration, ChatGenerationChunk, type ChatResult } from "@langchain/core/outputs";
import { type Runnable, type RunnableConfig, RunnableLambda } from "@langchain/core/runnables";
import { convertToOpenAITool } from "@langchain/core/utils/function_calling";
import { toJsonSchema } from "@langchain/core/utils/json_schema";
import { randomUUID } from "node:crypto";
import type { ChatHistoryItem, GbnfJsonSchema, Llama, LlamaChat, LlamaGrammar } from "node-llama-cpp";
import { chatResultFromStream } from "../chat-result-from-stream.js";
import { toChatHistory, toolRoundsSinceLastUser } from "./chat-history.js";
import { jsonSchemaToGbnf } from "./json-schema-to-gbnf.js";
import type { LocalModelRuntime } from "./local-model-runtime.js";
import { streamCallbacks } from "./stream-callbacks.js";
import type { ModelTokenizer } from "../../memory/token-counter.js";
import type { ToolSchema } from "../../memory/tool-schema-tokens.js";
import { decisionSchema, type LocalTool, parseDecision, toolInstructions } from "./tool-decision.js";

/** The decision JSON is short; this cap only bites when a small model rambles inside a string. */
const DECISION_MAX_TOKENS = 384;

/**
 * Free-text answers only (JSON legitimately repeats its punctuation). Greedy decoding makes a small model loop on
 * one sentence until the token cap; frequency and presence penalties over the recent tokens end that loop and
 * let it stop by itself, without giving up determinism (measured on SmolLM2-135M: 183–253 tokens ending
 * naturally, where the default penalty repeated one sentence to the 400-token cap).
 */
const ANSWER_REPEAT_PENALTY = { lastTokens: 256, frequencyPenalty: 0.3, presencePenalty: 0.3 };

/** Call options of the embedded model (LangChain's, plus `tool_choice`). */
export interface LocalChatModelCallOptions extends BaseChatModelCallOptions {
  tool_choice?: string | { type?: string; function?: { name?: string } };
}

/** Options of the embedded chat model. */
export interface LocalChatModelOptions extends BaseChatModelParams {
  /** The shared runtime (loaded on first use). */
  runtime: () => Promise<LocalModelRuntime>;
  /** Reported as `response_metadata.model_name` (usage is tallied per model). */
  modelName: string;
  /** 0 is greedy decoding: deterministic. @default 0 */
  temperature?: number;
  /** @default 512 */
  maxTokens?: number;
  /** Sampling seed (matters when temperature > 0). @default 42 */
  seed?: number;
  /** Tool rounds per user message before the model must answer. @default 1 */
  maxToolRounds?: number;
  /** Tokens each sequence holds (LOCAL_MODEL_CONTEXT_SIZE): the window default context budgets are sized to. */
  contextSize?: number;
  /** Set by bindTools. */
  tools?: readonly LocalTool[];
  /** `auto`, `none`, `any`/`required`, or a tool name. @default "auto" */
  toolChoice?: string;
}

/**
 * A LangChain chat model running a GGUF in-process through node-llama-cpp, with the model's own chat template.
 * Tokens stream as generated; the run's AbortSignal stops generation within a token or two. With tools bound,
 * each turn starts with a grammar-constrained decision — a call of one bound tool, with arguments shaped by its
 * JSON schema, or "answer" — so a tool call always parses; answers are then generated freely and streamed.
 */
export class LocalChatModel extends BaseChatModel<LocalChatModelCallOptions> {
  private readonly options: LocalChatModelOptions;
  /** The loaded context's size per sequence, known once the model has loaded. */
  private loadedContextSize: number | undefined;

  constructor(options: LocalChatModelOptions) {
    super(options);
    this.options = options;
  }

  override _llmType(): string {
    return "threadline-local";
  }

  /**
   * The model's context window in tokens (each sequence's size): the loaded context's (the setting capped at the
   * model's training size) once the model is loaded — budgets count with its tokenizer first — else the setting.
   */
  get contextWindow(): number | undefined {
    return this.loadedContextSize ?? this.options.contextSize;
  }

  /** Load the weights now (they load on first use otherwise): the first reply then starts at once. */
  async warmUp(): Promise<boolean> {
    await this.options.runtime();
    return true;
  }

  /** The model's own tokenizer (loading the model if needed), so context budgets count what it really reads. */
  async tokenCounter(): Promise<ModelTokenizer> {
    const runtime = await this.options.runtime();
    this.loadedContextSize = runtime.contextSize;
    return { count: (text) => runtime.model.tokenize(text).length, framing: runtime.framing };
  }

  /** What the tool-decision step adds to the system prompt for these tools (the budget counts it, not their JSON). */
  toolPrompt(tools: readonly ToolSchema[]): string {
    return toolInstructions(tools.map(localTool));
  }

  override bindTools(tools: BindToolsInput[], kwargs?: Partial<LocalChatModelCallOptions>): Runnable<BaseLanguageModelInput, AIMessageChunk, LocalChatModelCallOptions> {
    const localTools = tools.map((tool) => localTool(convertToOpenAITool(tool)));
    return new LocalChatModel({ ...this.options, tools: localTools, toolChoice: toolChoiceName(kwargs?.tool_choice) ?? this.options.toolChoice });
  }

  override async _generate(messages: BaseMessage[], options: this["ParsedCallOptions"], runManager?: CallbackManagerForLLMRun): Promise<ChatResult> {
    return chatResultFromStream(this._streamResponseChunks(messages, options, runManager));
  }

  override async *_streamResponseChunks(
    messages: BaseMessage[],
    options: this["ParsedCallOptions"],
    runManager?: CallbackManagerForLLMRun,
  ): AsyncGenerator<ChatGenerationChunk> {
    const runtime = await this.options.runtime();
    const leasing = runtime.acquire(options.signal);
    // All sequences busy: the call waits in the queue, which the caller's inactivity timeout must not count.
    reportQueued(leasing);
    const lease = await leasing;
    try {
      const id = `local-${randomUUID()}`;
      const offer = this.offeredTools(messages, options.tool_choice);
      let spent = { input_tokens: 0, output_tokens: 0 };
      if (offer.tools.length > 0) {
        const decision = await this.decide(lease.item, { messages, offer, signal: options.signal });
        if (decision.kind === "call") {
          yield this.toolCallChunk(id, decision);
          return;
        }
        // The decision's tokens were spent on this reply too.
        spent = decision.usage;
      }
      yield* this.streamAnswer(lease.item, toChatHistory(messages), { id, signal: options.signal, runManager, spent });
    } finally {
      lease.release();
    }
  }

  /** Structured output: one generation constrained by the schema's grammar, parsed. */
  override withStructuredOutput(schema: unknown): ReturnType<BaseChatModel["withStructuredOutput"]> {
    const jsonSchema = isZodLike(schema) ? (toJsonSchema(schema as Parameters<typeof toJsonSchema>[0]) as Record<string, unknown>) : (schema as Record<string, unknown>);
    const runnable = RunnableLambda.from(async (input: unknown, config?: RunnableConfig) => {
      const messages = Array.isArray(input) ? (input as BaseMessage[]) : [new HumanMessage(String(input))];
      const runtime = await this.options.runtime();
      const lease = await runtime.acquire(config?.signal);
      try {
        const grammar = await grammarFor(lease.item, jsonSchemaToGbnf(jsonSchema));
        const history = toChatHistory(messages, { extraSystem: `Reply with JSON only, matching this JSON schema: ${JSON.stringify(jsonSchema)}` });
        // Reported to the caller's callbacks as a model call, so its tokens count like any other (usage collectors).
        const [run] = (await CallbackManager.configure(config?.callbacks)?.handleChatModelStart(this.toJSON(), [messages])) ?? [];
        let outputTokens = 0;
        const result = await lease.item.generateResponse(history, { ...this.sampling(), grammar, signal: config?.signal, onToken: (tokens) => void (outputTokens += tokens.length) });
        const usage = { input_tokens: countTokens(lease.item, history), output_tokens: outputTokens };
        const message = new AIMessage({ content: result.response, usage_metadata: { ...usage, total_tokens: usage.input_tokens + usage.output_tokens }, response_metadata: { model_name: this.options.modelName } });
        await run?.handleLLMEnd({ generations: [[{ text: result.response, message } as ChatGeneration]] });
        try {
          return JSON.parse(result.response) as unknown;
        } catch {
          throw new Error(`the embedded model's structured answer was cut off at ${this.sampling().maxTokens} tokens`);
        }
      } finally {
        lease.release();
      }
    });
    return runnable as unknown as ReturnType<BaseChatModel["withStructuredOutput"]>;
  }

  private offeredTools(messages: BaseMessage[], callChoice: LocalChatModelCallOptions["tool_choice"]): ToolOffer {
    const tools = this.options.tools ?? [];
    const choice = toolChoiceName(callChoice) ?? this.options.toolChoice ?? "auto";
    if (tools.length === 0 || choice === "none") return { tools: [], allowAnswer: true };
    // A small model would happily call the same tool forever; after the allowed rounds it must answer.
    if (toolRoundsSinceLastUser(messages) >= (this.options.maxToolRounds ?? 1)) return { tools: [], allowAnswer: true };
    if (choice === "auto") return { tools, allowAnswer: true };
    if (choice === "any" || choice === "required") return { tools, allowAnswer: false };
    return { tools: tools.filter((tool) => tool.name === choice), allowAnswer: false };
  }

  private async decide(chat: LlamaChat, turn: { messages: BaseMessage[]; offer: ToolOffer; signal?: AbortSignal }) {
    const { messages, offer, signal } = turn;
    const grammar = await grammarFor(chat, decisionSchema(offer.tools, { allowAnswer: offer.allowAnswer }));
    const history = toChatHistory(messages, { extraSystem: toolInstructions(offer.tools) });
    let outputTokens = 0;
    const result = await chat.generateResponse(history, {
      ...this.sampling(),
      // Its own cap, not the reply's max_tokens: a call's JSON could eat a small max_tokens whole (docs/models.md).
      maxTokens: DECISION_MAX_TOKENS,
      grammar,
      signal,
      onToken: (tokens) => void (outputTokens += tokens.length),
    });
    const usage = { input_tokens: countTokens(chat, history), output_tokens: outputTokens };
    return { ...parseDecision(result.response, offer.tools), usage };
  }

  private async *streamAnswer(
    chat: LlamaChat,
    history: ChatHistoryItem[],
    context: { id: string; signal?: AbortSignal; runManager?: CallbackManagerForLLMRun; spent: { input_tokens: number; output_tokens: number } },
  ): AsyncGenerator<ChatGenerationChunk> {
    const stop = new AbortController();
    const signal = context.signal ? AbortSignal.any([context.signal, stop.signal]) : stop.signal;
    let outputTokens = 0;
    const generation = streamCallbacks((push) =>
      chat.generateResponse(history, {
        ...this.sampling(),
        repeatPenalty: ANSWER_REPEAT_PENALTY,
        signal,
        onTextChunk: push,
        onToken: (tokens) => void (outputTokens += tokens.length),
      }),
    );
    // "length" when the reply stopped at its token limit (max_tokens), as OpenAI says it: the reply is marked cut off.
    let finishReason = "stop";
    try {
      for (let step = await generation.next(); ; step = await generation.next()) {
        if (step.done) {
          if (step.value.metadata.stopReason === "maxTokens") finishReason = "length";
          break;
        }
        const chunk = new ChatGenerationChunk({ text: step.value, message: new AIMessageChunk({ id: context.id, content: step.value }) });
        yield chunk;
        // Passing the chunk keeps its id, so streamed deltas and the final message share one message id.
        await context.runManager?.handleLLMNewToken(step.value, undefined, undefined, undefined, undefined, { chunk });
      }
    } finally {
      stop.abort();
      await generation.return(undefined as never);
    }
    const usage = { input_tokens: context.spent.input_tokens + countTokens(chat, history), output_tokens: context.spent.output_tokens + outputTokens };
    yield new ChatGenerationChunk({ text: "", message: this.finalChunk(context.id, usage, finishReason) });
  }

  private toolCallChunk(id: string, call: { name: string; args: Record<string, unknown>; usage: { input_tokens: number; output_tokens: number } }): ChatGenerationChunk {
    const { name, args, usage } = call;
    const callId = `call_${randomUUID().replaceAll("-", "").slice(0, 12)}`;
    const final = this.finalChunk(id, usage, "tool_calls");
    const message = new AIMessageChunk({
      id,
      content: "",
      tool_call_chunks: [{ type: "tool_call_chunk", name, args: JSON.stringify(args), id: callId, index: 0 }],
      usage_metadata: final.usage_metadata,
      response_metadata: final.response_metadata,
    });
    return new ChatGenerationChunk({ text: "", message });
  }

  private finalChunk(id: string, usage: { input_tokens: number; output_tokens: number }, finishReason: string): AIMessageChunk {
    return new AIMessageChunk({
      id,
      content: "",
      usage_metadata: { ...usage, total_tokens: usage.input_tokens + usage.output_tokens },
      response_metadata: { model_name: this.options.modelName, finish_reason: finishReason },
    });
  }

  private sampling() {
    return { temperature: this.options.temperature ?? 0, seed: this.options.seed ?? 42, maxTokens: this.options.maxTokens ?? 512 };
  }
}

/** Tools offered this turn, and whether answering without one is allowed (`tool_choice` auto). */
interface ToolOffer {
  tools: readonly LocalTool[];
  allowAnswer: boolean;
}

const grammars = new WeakMap<Llama, Map<string, Promise<LlamaGrammar>>>();

/** Grammars compile natively; the same tools come back every turn, so each schema is compiled once. */
function grammarFor(chat: LlamaChat, schema: GbnfJsonSchema): Promise<LlamaGrammar> {
  const llama = chat.model.llama;
  let cache = grammars.get(llama);
  if (!cache) grammars.set(llama, (cache = new Map<string, Promise<LlamaGrammar>>()));
  const key = JSON.stringify(schema);
  let grammar = cache.get(key);
  if (!grammar) {
    grammar = llama.createGrammarForJsonSchema(schema as Parameters<Llama["createGrammarForJsonSchema"]>[0]) as Promise<LlamaGrammar>;
    grammar.catch(() => cache.delete(key));
    cache.set(key, grammar);
  }
  return grammar;
}

function countTokens(chat: LlamaChat, history: ChatHistoryItem[]): number {
  return chat.chatWrapper.generateContextState({ chatHistory: history }).contextText.tokenize(chat.model.tokenizer).length;
}

function toolChoiceName(choice: LocalChatModelCallOptions["tool_choice"]): string | undefined {
  if (choice === undefined) return undefined;
  if (typeof choice === "string") return choice;
  return choice.function?.name ?? choice.type;
}

function isZodLike(schema: unknown): boolean {
  return typeof schema === "object" && schema !== null && ("_def" in schema || "_zod" in schema);
}

/** A bound tool as the decision step lists it. */
function localTool(tool: { function: { name: string; description?: string; parameters?: unknown } }): LocalTool {
  return { name: tool.function.name, description: tool.function.description ?? "", parameters: (tool.function.parameters ?? {}) as Record<string, unknown> };
}
