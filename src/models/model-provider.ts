import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { LRUCache } from "lru-cache";
import type { AssistantSettings } from "../assistants/assistant-settings.js";
import { createChatModel } from "./create-chat-model.js";
import type { ModelSettings } from "./model-settings.js";
import type { ModelOverrides } from "./model-spec.js";

/**
 * Models kept for reuse. Settings come from assistants and from each run (`seed`, `temperature`… are per-run
 * overrides, i.e. user input): an unbounded cache grew by ~14 kB per distinct value. The least recently used go; a
 * model built again is cheap (the embedded model's weights are shared process-wide, not held here).
 */
const CACHED_MODELS = 256;

/** Builds (and reuses) chat models for assistants; the server's MODEL is the default. */
export class ModelProvider {
  private readonly cache = new LRUCache<string, Promise<BaseChatModel>>({ max: CACHED_MODELS });

  constructor(private readonly options: { defaultModel: string; settings: ModelSettings }) {}

  /** The model string an assistant runs on. */
  modelFor(settings: AssistantSettings): string {
    return settings.model ?? this.options.defaultModel;
  }

  /** The chat model for an assistant's settings. */
  get(settings: AssistantSettings): Promise<BaseChatModel> {
    const spec = this.modelFor(settings);
    const overrides: ModelOverrides = {
      temperature: settings.temperature,
      maxTokens: settings.max_tokens,
      baseUrl: settings.base_url,
      timeoutMs: settings.timeout_ms,
      seed: settings.seed,
    };
    const key = JSON.stringify([spec, overrides]);
    let model = this.cache.get(key);
    if (!model) {
      model = createChatModel(spec, this.options.settings, overrides);
      // A failed construction must not be cached forever.
      model.catch(() => this.cache.delete(key));
      this.cache.set(key, model);
    }
    return model;
  }

  /**
   * The model that writes a thread's running summary: the assistant's, without its reply-length cap (a summary is
   * bounded by the context policy's own limit; an assistant's short `max_tokens` would cut it mid-sentence).
   */
  summaryModel(settings: AssistantSettings): Promise<BaseChatModel> {
    return this.get({ ...settings, max_tokens: undefined });
  }
}
