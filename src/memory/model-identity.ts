import type { BaseChatModel } from "@langchain/core/language_models/chat_models";

/** Which model family a chat model belongs to, for its tokenizer and its context window. */
export interface ModelIdentity {
  provider: "openai" | "anthropic" | "ollama" | "local" | "fake" | "unknown";
  /** The provider's model name (`gpt-4o-mini`), empty when unknown. */
  name: string;
}

/** A model that tells its context window in tokens (the embedded model may). */
export interface WindowedModel {
  contextWindow: number;
}

const PROVIDER_BY_LLM_TYPE: Record<string, ModelIdentity["provider"]> = {
  "threadline-fake": "fake",
  "threadline-local": "local",
  openai: "openai",
  anthropic: "anthropic",
  ollama: "ollama",
};

/**
 * Identify the model: from the assistant's model string when the runtime passes it (`openai:gpt-4o`, `fake`,
 * `local:…`), otherwise from the model object itself (its LangChain type and `model` field).
 */
export function identifyModel(model: BaseChatModel, modelSpec?: string): ModelIdentity {
  if (modelSpec) return fromSpec(modelSpec);
  const provider = PROVIDER_BY_LLM_TYPE[safeLlmType(model)] ?? "unknown";
  const fields = model as unknown as { model?: unknown; modelName?: unknown };
  const name = typeof fields.model === "string" ? fields.model : typeof fields.modelName === "string" ? fields.modelName : "";
  return { provider, name };
}

function fromSpec(spec: string): ModelIdentity {
  const trimmed = spec.trim();
  if (trimmed === "fake") return { provider: "fake", name: "fake" };
  const separator = trimmed.indexOf(":");
  const provider = separator < 0 ? trimmed : trimmed.slice(0, separator);
  const name = separator < 0 ? "" : trimmed.slice(separator + 1);
  const known: ModelIdentity["provider"][] = ["openai", "anthropic", "ollama", "local", "fake"];
  return { provider: known.find((candidate) => candidate === provider) ?? "unknown", name };
}

function safeLlmType(model: BaseChatModel): string {
  try {
    return model._llmType();
  } catch {
    return "";
  }
}

/** OpenAI context windows by model name prefix (first match wins). */
const OPENAI_WINDOWS: [RegExp, number][] = [
  [/^gpt-4\.1/, 1_047_576],
  [/^gpt-5/, 400_000],
  [/^o[134]/, 200_000],
  [/^(gpt-4o|chatgpt-4o|gpt-4-turbo|gpt-4\.5|gpt-4-\d{4}-preview)/, 128_000],
  [/^gpt-4-32k/, 32_768],
  [/^gpt-4/, 8_192],
  [/^gpt-3\.5/, 16_385],
];

/** What Threadline assumes when nothing better is known. */
const DEFAULT_WINDOWS: Record<ModelIdentity["provider"], number> = {
  // Any OpenAI-compatible server (DeepSeek, Qwen, vLLM…): 32k is the smallest window of the common ones.
  openai: 32_768,
  anthropic: 200_000,
  // Ollama's default num_ctx; it silently truncates longer prompts, so assume no more.
  ollama: 4_096,
  // LOCAL_MODEL_CONTEXT_SIZE's default.
  local: 4_096,
  // Small on purpose: tests and benchmarks exercise folding after a few dozen turns.
  fake: 4_096,
  unknown: 8_192,
};

/** The model's context window in tokens: its own report, a known window, or the provider's default. */
export function contextWindowOf(model: BaseChatModel, identity: ModelIdentity): number {
  const reported = (model as unknown as Partial<WindowedModel>).contextWindow;
  if (typeof reported === "number" && reported > 0) return reported;
  if (identity.provider === "openai") {
    const known = OPENAI_WINDOWS.find(([pattern]) => pattern.test(identity.name.toLowerCase()));
    if (known) return known[1];
  }
  return DEFAULT_WINDOWS[identity.provider];
}
