import type { CallbackManagerForLLMRun } from "@langchain/core/callbacks/manager";
import { BaseChatModel } from "@langchain/core/language_models/chat_models";
import type { BaseMessage } from "@langchain/core/messages";
import type { ChatGenerationChunk } from "@langchain/core/outputs";
import { ChatOllama } from "@langchain/ollama";

/** The parts of the `ollama` client a call uses: its settings, to make another like it, and `abort()`. */
interface OllamaClient {
  config: { host: string; headers?: unknown };
  fetch: typeof fetch;
  abort(): void;
}

/**
 * `ChatOllama` with an `ollama` client of its own for each call. LangChain's shares one client per model object
 * (and Threadline shares model objects between runs), and a cancelled call ends its stream with `client.abort()`,
 * which aborts every stream of that client: cancelling one user's run failed the other users' runs. Here a call's
 * abort reaches only its own request, and the run's signal aborts it at once, even while the model is silent
 * (LangChain's only looks at the signal when a chunk arrives, so a silent stream stayed open).
 */
export class IsolatedChatOllama extends ChatOllama {
  override async *_streamResponseChunks(messages: BaseMessage[], options: this["ParsedCallOptions"], runManager?: CallbackManagerForLLMRun): AsyncGenerator<ChatGenerationChunk> {
    const shared = this.client as unknown as OllamaClient;
    const Client = shared.constructor as new (config: { host: string; headers?: unknown; fetch: typeof fetch }) => OllamaClient;
    const client = new Client({ host: shared.config.host, headers: shared.config.headers, fetch: shared.fetch });
    // The same model, seen through a view whose client is this call's.
    const view = Object.assign(Object.create(this) as this, { client });
    const abort = () => client.abort();
    options.signal?.addEventListener("abort", abort, { once: true });
    try {
      yield* ChatOllama.prototype._streamResponseChunks.call(view, messages, options, runManager);
    } catch (error) {
      throw unreachableOllama(error) ?? error;
    } finally {
      options.signal?.removeEventListener("abort", abort);
      client.abort();
    }
  }

  /** Chat-model stream events, from this class's isolated chunks (ChatOllama's own would use the shared client). */
  override _streamChatModelEvents(messages: BaseMessage[], options: this["ParsedCallOptions"], runManager?: CallbackManagerForLLMRun): ReturnType<ChatOllama["_streamChatModelEvents"]> {
    return BaseChatModel.prototype._streamChatModelEvents.call(this, messages, options, runManager);
  }
}

/**
 * A request that never reached Ollama fails with fetch's bare "fetch failed", which said neither what nor why.
 * The address stays out (the words reach users in run.failed; operators know their setting), the reason goes in.
 */
function unreachableOllama(error: unknown): Error | undefined {
  if (!(error instanceof TypeError) || !/fetch failed/i.test(error.message)) return undefined;
  const cause = (error as { cause?: { code?: unknown; message?: unknown } }).cause;
  // The code (ECONNREFUSED, ENOTFOUND…) names the reason without the address; fetch's own refusals have only words.
  const reason = typeof cause?.code === "string" ? cause.code : typeof cause?.message === "string" ? cause.message : "no answer";
  return new Error(`could not reach the Ollama server (OLLAMA_BASE_URL, or the assistant's base_url): ${reason}`, { cause: error });
}
