import path from "node:path";
import { HumanMessage } from "@langchain/core/messages";
import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { createChatModel } from "../../src/models/create-chat-model.js";
import type { GenerationSample, GenerationSettings } from "./generation-sample.js";

/**
 * Threadline's chat model without the server: `createChatModel("local:…")` streamed in-process. It splits the
 * overhead between the model layer (LangChain wrapper, fallback wrapper) and the run path (queue, events, WS).
 */
export class ModelDriver {
  private constructor(private readonly model: BaseChatModel) {}

  /** Build the model exactly as the server would for the benchmark's assistant. */
  static async start(settings: GenerationSettings & { dataDir: string; cacheDir: string }): Promise<ModelDriver> {
    const model = await createChatModel("local", {
      fakeChunkDelayMs: 0,
      local: {
        modelsDir: path.join(settings.dataDir, "models"),
        cacheDir: settings.cacheDir,
        autoPull: false,
        threads: settings.threads,
        contextSize: settings.contextSize,
        sequences: settings.sequences,
        queueLimit: 64,
        maxTokens: settings.maxTokens,
        maxToolRounds: 1,
        gpu: false,
      },
    }, { temperature: 0, seed: settings.seed, maxTokens: settings.maxTokens });
    return new ModelDriver(model);
  }

  /** One streamed call, timed from the call to the first and last text chunk. */
  async generate(prompt: string): Promise<GenerationSample> {
    const started = performance.now();
    let firstAt: number | undefined;
    let lastAt = started;
    let tokens = 0;
    for await (const chunk of await this.model.stream([new HumanMessage(prompt)])) {
      if (chunk.text) {
        const now = performance.now();
        firstAt ??= now;
        lastAt = now;
      }
      tokens = chunk.usage_metadata?.output_tokens ?? tokens;
    }
    return { firstTokenMs: (firstAt ?? lastAt) - started, streamMs: lastAt - (firstAt ?? lastAt), tokens };
  }
}
