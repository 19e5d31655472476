import { getLlama, LlamaChat, type LlamaContext, LlamaLogLevel, type LlamaModel } from "node-llama-cpp";
import { LOCAL_CONTEXT_BATCHING } from "../../src/models/local/local-model-runtime.js";
import type { GenerationSample, GenerationSettings } from "./generation-sample.js";

/** node-llama-cpp on its own: the same model file, context shape and sampling Threadline's embedded model uses. */
export class DirectDriver implements AsyncDisposable {
  private constructor(
    private readonly model: LlamaModel,
    private readonly context: LlamaContext,
    private readonly chat: LlamaChat,
  ) {}

  /** Load the model with the given context settings. */
  static async start(settings: GenerationSettings): Promise<DirectDriver> {
    const llama = await getLlama({ gpu: false, build: "never", logLevel: LlamaLogLevel.warn });
    const model = await llama.loadModel({ modelPath: settings.modelPath });
    // The embedded model's own context settings, batching included: the comparison is about what a run adds.
    const context = await model.createContext({
      contextSize: Math.min(settings.contextSize, model.trainContextSize),
      sequences: settings.sequences,
      threads: settings.threads,
      batching: LOCAL_CONTEXT_BATCHING,
    });
    return new DirectDriver(model, context, new LlamaChat({ contextSequence: context.getSequence() }));
  }

  /** One generation, timed from the call to the first and last text chunk. */
  async generate(prompt: string, settings: GenerationSettings): Promise<GenerationSample> {
    let tokens = 0;
    let firstAt: number | undefined;
    let lastAt = 0;
    const started = performance.now();
    await this.chat.generateResponse([{ type: "user", text: prompt }, { type: "model", response: [] }], {
      temperature: 0,
      seed: settings.seed,
      maxTokens: settings.maxTokens,
      onToken: (generated) => void (tokens += generated.length),
      onTextChunk: () => {
        const now = performance.now();
        firstAt ??= now;
        lastAt = now;
      },
    });
    return { firstTokenMs: (firstAt ?? lastAt) - started, streamMs: lastAt - (firstAt ?? lastAt), tokens };
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.context.dispose();
    await this.model.dispose();
  }
}
