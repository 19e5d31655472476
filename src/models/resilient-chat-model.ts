import type { CallbackManagerForLLMRun } from "@langchain/core/callbacks/manager";
import type { BaseLanguageModelInput } from "@langchain/core/language_models/base";
import { BaseChatModel, type BaseChatModelCallOptions, type BindToolsInput } from "@langchain/core/language_models/chat_models";
import { AIMessageChunk, type BaseMessage, isBaseMessage } from "@langchain/core/messages";
import { ChatGenerationChunk, type ChatResult } from "@langchain/core/outputs";
import { type Runnable, type RunnableConfig, RunnableLambda } from "@langchain/core/runnables";
import { AsyncCaller } from "@langchain/core/utils/async_caller";
import { randomUUID } from "node:crypto";
import { providerMessages } from "./provider-messages.js";
import { providerErrorWords } from "./provider-error-words.js";
import { statusOf } from "./retry-policy.js";
import { isTokenizingModel, type ModelTokenizer } from "../memory/token-counter.js";
import { isToolPromptModel, type ToolSchema } from "../memory/tool-schema-tokens.js";
import { observeAttempts } from "./attempt-observer.js";
import { chatResultFromStream } from "./chat-result-from-stream.js";
import { InlineThinkingSplitter, mayThinkInline, splitLateThinking } from "./inline-thinking.js";

/** One model of a fallback chain, with the model string it was built from (for messages and usage). */
export interface ModelCandidate {
  spec: string;
  model: BaseChatModel | Runnable<BaseLanguageModelInput, AIMessageChunk>;
}

/** Longest provider error message kept per model of the chain. */
const MAX_FAILURE_CHARS = 1000;

/** Options of the resilient model. */
export interface ResilientChatModelOptions {
  /** Tried in order; the first is the assistant's model, the rest MODEL_FALLBACKS. */
  candidates: readonly ModelCandidate[];
  /** Longest silence (before the first chunk or between two) before a call is abandoned. */
  timeoutMs: number;
  /** Strings (API keys) scrubbed from every failure message. */
  secrets?: readonly string[];
  /** Retries of a reply that failed before any output on a transient error mid-stream (MODEL_MAX_RETRIES). @default 0 */
  maxRetries?: number;
  /** Model strings seen closing a `<think>` block their template opened; shared with the copies `bindTools` makes. */
  templateThinkers?: Set<string>;
}

/** Raised when the chain is exhausted; its message carries each provider's message (keys scrubbed). */
export class ModelFailure extends Error {
  override name = "ModelFailure";
}

/** Raised inside a call that went silent for longer than the timeout. */
export class ModelTimeoutError extends Error {
  override name = "ModelTimeoutError";
}

/**
 * Wraps the assistant's model and its fallbacks as one chat model: each call gets an inactivity timeout, a failure
 * before anything was streamed moves on to the next model (provider retries with backoff have already run inside
 * each model), and whatever is left is one `ModelFailure` naming every model and its error. Chunks are re-issued
 * under one message id, so streamed deltas and the final message agree whichever model answered, and with an inline
 * `<think>` block moved to `reasoning_content` (inline-thinking.ts).
 */
export class ResilientChatModel extends BaseChatModel {
  private readonly templateThinkers: Set<string>;

  constructor(private readonly chain: ResilientChatModelOptions) {
    super({});
    this.templateThinkers = chain.templateThinkers ?? new Set();
  }

  /** The reply, with reasoning a late `</think>` ended (found only when the stream was over) split out of its text. */
  override async invoke(input: BaseLanguageModelInput, options?: Partial<BaseChatModelCallOptions>): Promise<AIMessageChunk> {
    return splitLateThinking(await super.invoke(input, options));
  }

  override _llmType(): string {
    return "threadline-resilient";
  }

  /** The first model's own tokenizer, when it has one (the embedded model); undefined otherwise. */
  async tokenCounter(): Promise<ModelTokenizer | undefined> {
    const first = this.chain.candidates[0]?.model;
    return first !== undefined && isTokenizingModel(first) ? first.tokenCounter() : undefined;
  }

  /** The first model's context window, when it reports one (the embedded model): default budgets are sized to it. */
  get contextWindow(): number | undefined {
    const window = (this.chain.candidates[0]?.model as { contextWindow?: unknown } | undefined)?.contextWindow;
    return typeof window === "number" ? window : undefined;
  }

  /** The first model's own tool prompt, when it writes one (the embedded model); undefined otherwise. */
  toolPrompt(tools: readonly ToolSchema[]): string | undefined {
    const first = this.chain.candidates[0]?.model;
    return first !== undefined && isToolPromptModel(first) ? first.toolPrompt(tools) : undefined;
  }

  /** Load the first model's weights now if it is an embedded one (fallbacks load when first needed). */
  async warmUp(): Promise<boolean> {
    const first = this.chain.candidates[0]?.model;
    return first !== undefined && isWarmable(first) ? first.warmUp() : false;
  }

  override bindTools(tools: BindToolsInput[], kwargs?: Partial<BaseChatModelCallOptions>): Runnable<BaseLanguageModelInput, AIMessageChunk> {
    const candidates = this.chain.candidates.map((candidate) => ({ spec: candidate.spec, model: bindCandidate(candidate, tools, kwargs) }));
    return new ResilientChatModel({ ...this.chain, candidates, templateThinkers: this.templateThinkers });
  }

  /**
   * Structured output from each model in turn, each call bounded by the timeout; when all fail, one `ModelFailure`
   * naming each model and its error with the keys scrubbed, as a streamed call reports (LangChain's `withFallbacks`
   * would pass the last provider's raw message on, key and all).
   */
  override withStructuredOutput(schema: unknown, config?: Record<string, unknown>): ReturnType<BaseChatModel["withStructuredOutput"]> {
    const runnables = this.chain.candidates.map((candidate) => {
      if (!("withStructuredOutput" in candidate.model)) throw new Error(`${candidate.spec} cannot produce structured output after tools were bound`);
      const structured = candidate.model.withStructuredOutput(schema as Record<string, unknown>, config);
      return { spec: candidate.spec, runnable: structured.withConfig({ timeout: this.chain.timeoutMs }) };
    });
    if (runnables.length === 0) throw new Error("ResilientChatModel needs at least one model");
    const chain = RunnableLambda.from(async (input: BaseLanguageModelInput, options?: RunnableConfig) => {
      const failures: { spec: string; message: string }[] = [];
      for (const { spec, runnable } of runnables) {
        try {
          return await runnable.invoke(Array.isArray(input) && input.every(isBaseMessage) ? providerMessages(input, { spec, shaped: true }) : input, options);
        } catch (error) {
          if (options?.signal?.aborted) throw error;
          failures.push({ spec, message: this.failureMessage(structuredFailure(error, this.chain.timeoutMs), spec) });
        }
      }
      throw new ModelFailure(describeFailures(failures), { cause: failures });
    });
    return chain as unknown as ReturnType<BaseChatModel["withStructuredOutput"]>;
  }

  override async _generate(messages: BaseMessage[], options: this["ParsedCallOptions"], runManager?: CallbackManagerForLLMRun): Promise<ChatResult> {
    return chatResultFromStream(this._streamResponseChunks(messages, options, runManager));
  }

  override async *_streamResponseChunks(
    messages: BaseMessage[],
    options: this["ParsedCallOptions"],
    runManager?: CallbackManagerForLLMRun,
  ): AsyncGenerator<ChatGenerationChunk> {
    const failures: { spec: string; message: string }[] = [];
    const id = `run-msg-${randomUUID()}`;
    for (const candidate of this.chain.candidates) {
      let streamed = false;
      // Chunks without text or tool calls (a provider's opening `role` chunk) are held back until output comes:
      // a model that fails after sending only those has shown the client nothing, so the next model may answer.
      const held: ChatGenerationChunk[] = [];
      const emit = async function* (chunks: ChatGenerationChunk[]): AsyncGenerator<ChatGenerationChunk> {
        for (const chunk of chunks) {
          yield chunk;
          await runManager?.handleLLMNewToken(chunk.text, undefined, undefined, undefined, undefined, { chunk });
        }
      };
      try {
        const opened = await this.openCandidate(candidate, messages, { signal: options.signal, id });
        held.push(...opened.held);
        // An answer with no output at all (an empty reply) is still an answer.
        if (opened.ended) {
          yield* emit(held.splice(0));
          return;
        }
        streamed = true;
        yield* emit(held.splice(0));
        for await (const chunk of opened.stream) yield* emit([chunk]);
        return;
      } catch (error) {
        // Cancellation is the run's outcome, not a model failure: let it through untouched.
        if (options.signal?.aborted) throw error;
        failures.push({ spec: candidate.spec, message: this.failureMessage(error, candidate.spec) });
        // Half an answer cannot be taken back from the client; only a clean failure falls back.
        if (streamed) break;
      }
    }
    throw new ModelFailure(describeFailures(failures), { cause: failures });
  }

  /**
   * Start a candidate's reply and read it up to its first output (text or a tool call), holding what came before.
   * A transient error the provider sends mid-stream before any output (Anthropic's `overloaded_error` event after
   * its 200: the same overload as a 529, which the provider's client retries) is retried like that 529, with
   * LangChain's backoff, up to `maxRetries`; nothing was shown, so nothing is taken back.
   */
  private openCandidate(candidate: ModelCandidate, messages: BaseMessage[], context: { signal?: AbortSignal; id: string }): Promise<OpenedReply> {
    const caller = new AsyncCaller({ maxRetries: this.chain.maxRetries ?? 0, onFailedAttempt: retryOverloadBeforeOutput });
    return caller.callWithOptions({ signal: context.signal }, async () => {
      const stream = this.streamCandidate(candidate, providerMessages(messages, { spec: candidate.spec }), context);
      const held: ChatGenerationChunk[] = [];
      for (let step = await stream.next(); !step.done; step = await stream.next()) {
        held.push(step.value);
        if (carriesOutput(step.value)) return { stream, held, ended: false };
      }
      return { stream, held, ended: true };
    });
  }

  private async *streamCandidate(candidate: ModelCandidate, messages: BaseMessage[], context: { signal?: AbortSignal; id: string }): AsyncGenerator<ChatGenerationChunk> {
    const silence = new AbortController();
    const signal = context.signal ? AbortSignal.any([context.signal, silence.signal]) : silence.signal;
    let timer: NodeJS.Timeout | undefined;
    const arm = (extraMs = 0) => {
      clearTimeout(timer);
      // Silence after the reply began is a stall, not a provider that never answered: the message says which.
      const silent = () => (chunks > 0 ? `stopped sending mid-reply: nothing for ${this.chain.timeoutMs} ms` : `no response within ${this.chain.timeoutMs} ms`);
      timer = setTimeout(() => silence.abort(new ModelTimeoutError(`${silent()} (MODEL_TIMEOUT_MS / timeout_ms)`)), this.chain.timeoutMs + extraMs);
    };
    let namedModel = false;
    let chunks = 0;
    let iterator: AsyncIterator<AIMessageChunk> | undefined;
    let finished = false;
    // Inline `<think>` blocks (servers without a reasoning parser) leave the content for reasoning_content.
    const thinking = mayThinkInline(candidate.spec) ? new InlineThinkingSplitter({ templateOpens: this.templateThinkers.has(candidate.spec) }) : undefined;
    // Each provider attempt gets the whole timeout: a failed one re-arms it past the retry's wait, so the wait is
    // not taken for silence (and the attempt's own error, not a timeout, is what a last failure reports).
    const attempts = {
      failed: (error: Error) => arm(retryWaitMs(error)),
      // Waiting for a free sequence of the embedded model is not silence: no timer while queued, a full one after.
      queued: (done: Promise<unknown>) => {
        clearTimeout(timer);
        void done.then(
          () => arm(),
          () => arm(),
        );
      },
    };
    arm();
    try {
      // Empty callbacks: the inner model must not report tokens itself, or every delta would be streamed twice.
      const stream = await untilAborted(observeAttempts(attempts, () => candidate.model.stream(messages, { signal, callbacks: [] })), signal);
      iterator = stream[Symbol.asyncIterator]();
      const next = (source: AsyncIterator<AIMessageChunk>) => untilAborted(observeAttempts(attempts, () => source.next()), signal);
      // Racing each step against the signal ends the wait at once, even while a provider sleeps between retries.
      for (let step = await next(iterator); !step.done; step = await next(iterator)) {
        arm();
        chunks += 1;
        namedModel ||= Boolean(step.value.response_metadata?.model_name);
        yield toGenerationChunk(thinking ? thinking.split(step.value) : step.value, context.id);
      }
      finished = true;
    } catch (error) {
      finished = true;
      silence.abort();
      if (silence.signal.reason instanceof ModelTimeoutError && !context.signal?.aborted) throw silence.signal.reason;
      throw error;
    } finally {
      clearTimeout(timer);
      // The consumer left early (between chunks): close the provider's stream instead of leaving it open.
      if (!finished) await iterator?.return?.().catch(() => undefined);
    }
    // A 200 answer that was not a chat stream at all (a web server's page at a mistyped base_url, an empty event
    // stream) yields nothing: that is a failure to fall back from, not an empty reply.
    if (chunks === 0) throw new Error("the endpoint answered without any chat-completion chunk (is base_url the model API?)");
    const rest = thinking?.finish();
    if (rest) yield toGenerationChunk(rest, context.id);
    if (thinking?.closedLate) this.templateThinkers.add(candidate.spec);
    // Usage is tallied per model name; providers that do not report one are named by their model string.
    if (!namedModel) yield toGenerationChunk(new AIMessageChunk({ content: "", response_metadata: { model_name: candidate.spec } }), context.id);
  }

  /** A provider's error as run.failed shows it: keys scrubbed (before cutting, so no key is cut in two), at most 1,000 characters. */
  private failureMessage(error: unknown, spec: string): string {
    const message = this.scrub(providerErrorWords(error, spec));
    // A proxy's error page can be hundreds of kilobytes: it would be stored on the run, sent and logged whole.
    return message.length <= MAX_FAILURE_CHARS ? message : `${message.slice(0, MAX_FAILURE_CHARS)}… (${message.length - MAX_FAILURE_CHARS} more characters)`;
  }

  private scrub(message: string): string {
    let scrubbed = message;
    for (const secret of this.chain.secrets ?? []) scrubbed = scrubbed.split(secret).join("[redacted]");
    return scrubbed;
  }
}

/** A candidate's reply opened up to its first output: the chunks so far, and the stream to read on (unless it `ended`). */
interface OpenedReply {
  stream: AsyncGenerator<ChatGenerationChunk>;
  held: ChatGenerationChunk[];
  ended: boolean;
}

/**
 * `openCandidate`'s retry decision: return to retry, throw to stop. Only an overload or server error the provider
 * sent as an event of a stream it had answered 200 (no HTTP status); HTTP errors were already retried by the
 * provider's client, and anything else would fail the same way again.
 */
function retryOverloadBeforeOutput(error: unknown): void {
  if (error instanceof Error && statusOf(error) === undefined && /"type"\s*:\s*"(overloaded_error|api_error)"|^(overloaded_error|api_error)\b/.test(error.message)) return;
  throw error;
}

/** Settle with the signal's reason as soon as it aborts; the abandoned promise's own failure is swallowed. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    promise.catch(() => undefined);
    return Promise.reject(signal.reason as Error);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => {
      promise.catch(() => undefined);
      reject(signal.reason as Error);
    };
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: Error) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}

function bindCandidate(candidate: ModelCandidate, tools: BindToolsInput[], kwargs?: Partial<BaseChatModelCallOptions>): ModelCandidate["model"] {
  const model = candidate.model;
  if (!("bindTools" in model) || typeof model.bindTools !== "function") throw new Error(`${candidate.spec} does not support tool calling`);
  return model.bindTools(tools, kwargs) as ModelCandidate["model"];
}

/** Whether a chunk shows the client anything: text, or a piece of a tool call. */
function carriesOutput(chunk: ChatGenerationChunk): boolean {
  return chunk.text.length > 0 || ((chunk.message as AIMessageChunk).tool_call_chunks?.length ?? 0) > 0;
}

/**
 * The longest a provider waits before retrying after `error`: its Retry-After, or p-retry's backoff at that
 * attempt (1 s doubled per attempt, up to 2× jitter), capped at a minute like the Retry-After it waits out.
 */
function retryWaitMs(error: Error): number {
  const retryAfterMs = (error as { retryAfterMs?: unknown }).retryAfterMs;
  const attempt = (error as { attemptNumber?: unknown }).attemptNumber;
  const backoffMs = 2 * 1000 * 2 ** Math.max(0, (typeof attempt === "number" ? attempt : 1) - 1);
  return Math.min(60_000, Math.max(typeof retryAfterMs === "number" ? retryAfterMs : 0, backoffMs));
}

function toGenerationChunk(chunk: AIMessageChunk, id: string): ChatGenerationChunk {
  const message = new AIMessageChunk({
    id,
    content: chunk.content,
    tool_call_chunks: chunk.tool_call_chunks,
    usage_metadata: chunk.usage_metadata,
    response_metadata: withoutRepeatedUsage(chunk),
    additional_kwargs: chunk.additional_kwargs,
  });
  return new ChatGenerationChunk({ text: message.text, message });
}

/**
 * A chunk's response metadata without the raw `usage` LangChain copies onto a content chunk when the provider sent the
 * usage on it (DeepSeek's last chunk, llama.cpp): the usage chunk that follows carries it again, and merging the two
 * summed it, so the reply's `response_metadata.usage` read twice the tokens (`usage_metadata` is right).
 */
function withoutRepeatedUsage(chunk: AIMessageChunk): AIMessageChunk["response_metadata"] {
  const metadata = chunk.response_metadata as Record<string, unknown> | undefined;
  if (!metadata || !("usage" in metadata) || chunk.usage_metadata !== undefined) return chunk.response_metadata;
  const rest = { ...metadata };
  delete rest.usage;
  return rest;
}

/**
 * A structured (shaped) call's failure in the words a streamed call's has: it is not streamed, so the timeout bounds
 * its whole answer (LangChain says only "The operation was aborted due to timeout"); and an answer that is not the
 * JSON asked for is the model's, not a malformed provider reply.
 */
function structuredFailure(error: unknown, timeoutMs: number): unknown {
  if (!(error instanceof Error)) return error;
  if (error.name === "TimeoutError" || /aborted due to timeout/i.test(error.message)) {
    return new ModelTimeoutError(`no response within ${timeoutMs} ms (MODEL_TIMEOUT_MS / timeout_ms; a shaped answer is not streamed, so it must come whole within it)`);
  }
  if (error.name === "OutputParserException" || (error instanceof SyntaxError && /JSON/.test(error.message))) {
    return new Error(`the model's answer is not the JSON the response_shape asks for (${error.message.slice(0, 200)})`);
  }
  return error;
}

function describeFailures(failures: readonly { spec: string; message: string }[]): string {
  if (failures.length === 1) return `${failures[0]?.spec}: ${failures[0]?.message}`;
  return `every model failed — ${failures.map((failure) => `${failure.spec}: ${failure.message}`).join("; ")}`;
}

/** A model that can load its weights ahead of the first call (the embedded one). */
export interface WarmableModel {
  warmUp(): Promise<boolean>;
}

/** Whether a model can be warmed up (see `WarmableModel`). */
export function isWarmable(model: unknown): model is WarmableModel {
  return typeof (model as Partial<WarmableModel> | null)?.warmUp === "function";
}
