import path from "node:path";
import type { Config } from "../config.js";
import type { Logger } from "../logger.js";
import { type OutboundPolicy, outboundPolicyFromConfig } from "../outbound/outbound-policy.js";

/** How the embedded (node-llama-cpp) model runs; shared by every `local` model of the process. */
export interface LocalModelSettings {
  /** Where `threadline models pull` puts model files: `DATA_DIR/models`. */
  modelsDir: string;
  /** Download cache shared across data directories and CI runs. */
  cacheDir: string;
  /** Pull a missing default model at start-up. @default true */
  autoPull: boolean;
  /** CPU threads; 0 picks half the cores. @default 0 */
  threads: number;
  /** Tokens per context sequence. @default 4096 */
  contextSize: number;
  /** Parallel generations (context sequences). @default 4 */
  sequences: number;
  /** Calls allowed to wait for a sequence. @default 256 */
  queueLimit: number;
  /** Default reply length cap. @default 512 */
  maxTokens: number;
  /** Tool rounds per user message before the model must answer. @default 1 */
  maxToolRounds: number;
  /** Allow a GPU backend. @default false */
  gpu: boolean;
  /** Where `hf:` URIs are resolved and downloaded from (HF_ENDPOINT); absent: huggingface.co. */
  huggingFaceEndpoint?: string;
  /** Token sent to that endpoint (HF_TOKEN), for gated or private models. */
  huggingFaceToken?: string;
}

/** What model construction needs from configuration (keys stay out of logs and errors). */
export interface ModelSettings {
  openAiApiKey?: string;
  openAiBaseUrl?: string;
  anthropicApiKey?: string;
  anthropicBaseUrl?: string;
  /** @default "http://127.0.0.1:11434" */
  ollamaBaseUrl?: string;
  /** Models tried in order after the assistant's model fails. @default [] */
  fallbacks?: readonly string[];
  /** Silence allowed before or between tokens, per call. @default 120000 */
  timeoutMs?: number;
  /** Provider retries on 429/5xx/network errors. @default 2 */
  maxRetries?: number;
  fakeChunkDelayMs: number;
  /** @default 0 */
  fakeReplyMinChars?: number;
  /** The embedded model; absent means `local` models cannot be built (tests of other providers). */
  local?: LocalModelSettings;
  /** Where model runtimes log (the embedded model's loading, pulls). */
  logger?: Logger;
  /** Where assistants' own `base_url` may point; absent (tests building settings by hand) checks nothing. */
  outbound?: OutboundPolicy;
}

/** Build the model settings from the parsed configuration, once, at start-up. */
export function modelSettingsFromConfig(config: Config, logger?: Logger): ModelSettings {
  return {
    logger,
    openAiApiKey: config.OPENAI_API_KEY,
    openAiBaseUrl: config.OPENAI_BASE_URL,
    anthropicApiKey: config.ANTHROPIC_API_KEY,
    anthropicBaseUrl: config.ANTHROPIC_BASE_URL,
    ollamaBaseUrl: config.OLLAMA_BASE_URL,
    fallbacks: config.MODEL_FALLBACKS,
    timeoutMs: config.MODEL_TIMEOUT_MS,
    maxRetries: config.MODEL_MAX_RETRIES,
    fakeChunkDelayMs: config.FAKE_CHUNK_DELAY_MS,
    fakeReplyMinChars: config.FAKE_REPLY_MIN_CHARS,
    outbound: outboundPolicyFromConfig(config),
    local: {
      modelsDir: path.join(config.DATA_DIR, "models"),
      cacheDir: config.MODEL_CACHE_DIR,
      autoPull: config.MODEL_AUTO_PULL,
      threads: config.LOCAL_MODEL_THREADS,
      contextSize: config.LOCAL_MODEL_CONTEXT_SIZE,
      sequences: config.LOCAL_MODEL_SEQUENCES,
      queueLimit: config.LOCAL_MODEL_QUEUE_LIMIT,
      maxTokens: config.LOCAL_MODEL_MAX_TOKENS,
      maxToolRounds: config.LOCAL_MODEL_MAX_TOOL_ROUNDS,
      gpu: config.LOCAL_MODEL_GPU,
      huggingFaceEndpoint: config.HF_ENDPOINT,
      huggingFaceToken: config.HF_TOKEN,
    },
  };
}

/** Every API key in the settings, so failure messages can be scrubbed of them verbatim. */
export function secretsOf(settings: ModelSettings): string[] {
  return [settings.openAiApiKey, settings.anthropicApiKey, settings.local?.huggingFaceToken].filter((key): key is string => Boolean(key && key.length >= 4));
}
