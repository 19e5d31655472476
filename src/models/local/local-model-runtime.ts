import type { PromptFraming } from "../../memory/token-counter.js";
import { measurePromptFraming } from "./prompt-framing.js";
import { availableParallelism } from "node:os";
import { type BatchingOptions, getLlama, type Llama, LlamaChat, type LlamaContext, LlamaLogLevel, type LlamaModel } from "node-llama-cpp";
import type { Logger } from "../../logger.js";
import { type Lease, SequencePool } from "./sequence-pool.js";

/** How one embedded model is loaded and shared. */
export interface LocalRuntimeOptions {
  modelPath: string;
  /** 0 picks half the cores. */
  threads: number;
  contextSize: number;
  sequences: number;
  queueLimit: number;
  gpu: boolean;
  logger?: Logger;
}

/**
 * One loaded GGUF: the model weights once, one context with `sequences` parallel sequences (node-llama-cpp batches
 * their tokens together), and a LlamaChat per sequence, lent out through a bounded queue. Reusing sequences keeps
 * their KV cache, so a thread's next turn only evaluates what is new.
 */
export class LocalModelRuntime {
  readonly model: LlamaModel;
  /** What the model's chat template adds around messages, for context budgets. */
  readonly framing: PromptFraming;
  private readonly context: LlamaContext;
  private readonly pool: SequencePool<LlamaChat>;

  private constructor(parts: { model: LlamaModel; framing: PromptFraming; context: LlamaContext; pool: SequencePool<LlamaChat> }) {
    ({ model: this.model, framing: this.framing, context: this.context, pool: this.pool } = parts);
  }

  /** Load the model file and create the context. */
  static async load(options: LocalRuntimeOptions): Promise<LocalModelRuntime> {
    const llama = await sharedLlama(options);
    const started = performance.now();
    const model = await llama.loadModel({ modelPath: options.modelPath });
    const threads = options.threads > 0 ? options.threads : defaultThreads();
    const context = await model.createContext({ contextSize: Math.min(options.contextSize, model.trainContextSize), sequences: options.sequences, threads, batching: LOCAL_CONTEXT_BATCHING });
    const chats = Array.from({ length: options.sequences }, () => new LlamaChat({ contextSequence: context.getSequence() }));
    options.logger?.info(
      { model: options.modelPath, threads, sequences: options.sequences, contextSize: context.contextSize, chatTemplate: chats[0]?.chatWrapper.wrapperName, loadMs: Math.round(performance.now() - started) },
      "embedded model loaded",
    );
    const framing = chats[0] ? measurePromptFraming(chats[0].chatWrapper, model) : { message: 5, prompt: 3 };
    return new LocalModelRuntime({ model, framing, context, pool: new SequencePool(chats, options.queueLimit) });
  }

  /** Borrow a chat (one context sequence); waits in the bounded queue when all are generating. */
  acquire(signal?: AbortSignal): Promise<Lease<LlamaChat>> {
    return this.pool.acquire(signal);
  }

  /** Tokens each sequence holds: LOCAL_MODEL_CONTEXT_SIZE, capped at what the model was trained for. */
  get contextSize(): number {
    return this.context.contextSize;
  }

  /** Generations running and waiting, for logs and tests. */
  get load(): { busy: number; waiting: number } {
    return { busy: this.pool.busy, waiting: this.pool.waiting };
  }

  /** Free the context and the weights. */
  async dispose(): Promise<void> {
    await this.context.dispose();
    await this.model.dispose();
  }
}

/**
 * Dispatch a decode as soon as a sequence queues its tokens, not at the next event-loop cycle (node-llama-cpp's
 * default). Generation is sequential — decode a token, hand it over, queue the next — and with the default every bit
 * of work the server does for a token (LangChain's and LangGraph's streaming, storing and publishing the event, the
 * WebSocket frame) runs before the next decode is even dispatched. Dispatched at once, the decode runs on its own
 * thread while that work runs: in alternating benchmark runs the tokens/s ratio went from 0.91 to 0.95.
 * Sequences still share decodes: tokens queued while one runs go together in the next.
 */
export const LOCAL_CONTEXT_BATCHING: BatchingOptions = { dispatchSchedule: (dispatch) => dispatch() };

/**
 * Half the cores, at least one: llama.cpp's worker threads spin while they wait, so using every core of a machine
 * that also runs Postgres and Node slows generation down by an order of magnitude (measured: 36 vs 2.4 tokens/s).
 */
export function defaultThreads(): number {
  return Math.max(1, Math.floor(availableParallelism() / 2));
}

let llamaPromise: Promise<Llama> | undefined;

/** node-llama-cpp's native binding, loaded once per process (prebuilt CPU binaries; never compiles). */
function sharedLlama(options: Pick<LocalRuntimeOptions, "gpu" | "logger">): Promise<Llama> {
  llamaPromise ??= getLlama({
    gpu: options.gpu ? "auto" : false,
    build: "never",
    logLevel: LlamaLogLevel.warn,
    logger: (level, message) => {
      const text = message.trim();
      if (!text) return;
      if (level === LlamaLogLevel.error || level === LlamaLogLevel.fatal) options.logger?.error({ source: "llama.cpp" }, text);
      else options.logger?.warn({ source: "llama.cpp" }, text);
    },
  }).catch((error: unknown) => {
    llamaPromise = undefined;
    throw error;
  });
  return llamaPromise;
}
