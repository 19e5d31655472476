import path from "node:path";
import { AppError } from "../errors/app-error.js";
import { findLocalModelFile, missingModelName, parseLocalModelSource } from "./local/local-model-source.js";
import type { ModelSettings } from "./model-settings.js";

/** A parsed model string: `provider:model`, `local[:source]` or `fake`. */
export interface ModelSpec {
  provider: string;
  model: string;
}

/** Per-assistant overrides applied on top of the model string. */
export interface ModelOverrides {
  temperature?: number;
  maxTokens?: number;
  timeoutMs?: number;
  baseUrl?: string;
  seed?: number;
}

/** Providers Threadline ships with; any OpenAI-compatible server is `openai` plus a base URL. */
export const SUPPORTED_PROVIDERS = ["openai", "anthropic", "ollama", "local", "fake"] as const;

/** Split `provider:model`; `fake` and `local` stand alone, `local:` takes a path or URI (which may contain colons). */
export function parseModelSpec(spec: string): ModelSpec {
  const trimmed = spec.trim();
  if (trimmed === "fake") return { provider: "fake", model: "fake" };
  if (trimmed === "local") return { provider: "local", model: "" };
  const separator = trimmed.indexOf(":");
  if (separator <= 0 || separator === trimmed.length - 1) {
    throw new AppError(
      "invalid_request",
      `Model "${spec}" must look like provider:model (e.g. openai:gpt-4o-mini, anthropic:claude-haiku-4-5, ollama:qwen2.5), or be "local" or "fake"`,
    );
  }
  const provider = trimmed.slice(0, separator);
  const model = trimmed.slice(separator + 1);
  // "openai: gpt-4o" would send " gpt-4o"; "openai :x" would name provider "openai ": both are typos.
  if (/\s/.test(provider) || model !== model.trim()) {
    throw new AppError("invalid_request", `Model "${spec}" has spaces around its ":"; write provider:model without them (e.g. openai:gpt-4o-mini)`);
  }
  return { provider, model };
}

/**
 * Whether a model takes no temperature but its default (1): OpenAI's reasoning models, `o1`, `o3-mini`, `o4-mini`…
 * and the `gpt-5` family but `gpt-5-chat`. The rule is @langchain/openai's `isReasoningModel` (not exported), by
 * which it already sends them `max_completion_tokens` and the `developer` role; it still sends any temperature.
 */
export function onlyDefaultTemperature(spec: string): boolean {
  const { provider, model } = parseModelSpec(spec);
  return provider === "openai" && (/^o\d/.test(model) || (model.startsWith("gpt-5") && !model.startsWith("gpt-5-chat")));
}

/**
 * Refuse (invalid_request) a temperature other than 1 for a model that takes only its default: OpenAI answers every
 * call with a 400 ("Unsupported value: 'temperature' does not support 0 with this model"). `whose` names where the
 * model was chosen when the assistant did not (the server's MODEL).
 */
export function assertTemperatureAccepted(spec: string, temperature: number | undefined, whose = ""): void {
  // Anthropic's Messages API takes 0–1 (OpenAI's 0–2, which the settings allow): 1.7 would fail every run with 400.
  if (temperature !== undefined && temperature > 1 && spec.startsWith("anthropic:")) {
    throw new AppError("invalid_request", `Model "${spec}"${whose} takes a temperature from 0 to 1, not ${temperature} (Anthropic's range)`);
  }
  if (temperature === undefined || temperature === 1 || !onlyDefaultTemperature(spec)) return;
  throw new AppError(
    "invalid_request",
    `Model "${spec}"${whose} takes no temperature but its default (1), not ${temperature}: remove "temperature" from the assistant's settings (or set it to 1)`,
  );
}

/** Validation options, passed along with the assistant's overrides. */
export interface ValidateOptions {
  /** Require an embedded model's file to be on disk (assistant creation); start-up pulls it instead. @default true */
  requireLocalFile?: boolean;
  /**
   * Accept `local:<path>` with directories (server configuration). Assistants, which any user may create, are
   * limited to file names in DATA_DIR/models or the cache and to `hf:` URIs already pulled: a path would let
   * them make the server parse any file it can read as a model. @default false
   */
  allowLocalPaths?: boolean;
}

/** Fail early (start-up, assistant creation) when a model string cannot work; the message says what to set. */
export function validateModelSpec(spec: string, settings: ModelSettings, options: ModelOverrides & ValidateOptions = {}): ModelSpec {
  const parsed = parseModelSpec(spec);
  switch (parsed.provider) {
    case "fake":
    case "ollama":
      return parsed;
    case "openai":
      if (!settings.openAiApiKey && !settings.openAiBaseUrl && !options.baseUrl) {
        throw new AppError("invalid_request", `Model "${spec}" needs OPENAI_API_KEY (or OPENAI_BASE_URL / the assistant's base_url for an OpenAI-compatible server)`);
      }
      assertTemperatureAccepted(spec, options.temperature);
      return parsed;
    case "anthropic":
      if (!settings.anthropicApiKey && !options.baseUrl) throw new AppError("invalid_request", `Model "${spec}" needs ANTHROPIC_API_KEY`);
      assertTemperatureAccepted(spec, options.temperature);
      return parsed;
    case "local":
      validateLocal(parsed, { spec, settings, requireFile: options.requireLocalFile !== false, allowPaths: options.allowLocalPaths === true });
      return parsed;
    default:
      throw new AppError(
        "invalid_request",
        `Unknown model provider "${parsed.provider}" in "${spec}". Supported: ${SUPPORTED_PROVIDERS.join(", ")} ` +
          "(any OpenAI-compatible server — DeepSeek, DashScope, vLLM, llama.cpp — works as openai:<model> with OPENAI_BASE_URL)",
      );
  }
}

function validateLocal(parsed: ModelSpec, context: { spec: string; settings: ModelSettings; requireFile: boolean; allowPaths: boolean }): void {
  const { spec, settings } = context;
  if (!settings.local) throw new AppError("invalid_request", `Model "${spec}": the embedded model is not available in this process`);
  const source = parseLocalModelSource(parsed.model);
  // An assistant (any user's) names a file in the model directories: not a path, not `.`/`..` or a hidden file, and
  // the messages do not name the server's directories.
  const where = context.allowPaths ? `${settings.local.modelsDir} or ${settings.local.cacheDir}` : "the server's model directory (DATA_DIR/models) or its download cache";
  if (source.kind === "file" && !context.allowPaths && (path.basename(source.path) !== source.path || source.path.startsWith("."))) {
    throw new AppError(
      "invalid_request",
      `Model "${spec}": an assistant may name a model file in ${where} (local:<file name>), not a path; pull it first with \`threadline models pull <path or URI>\``,
    );
  }
  if (!context.requireFile || source.kind === "remote") return;
  if (!findLocalModelFile(source, settings.local, { workingDirectory: context.allowPaths })) {
    const pull = source.kind === "default" ? "threadline models pull" : `threadline models pull ${parsed.model}`;
    throw new AppError("invalid_request", `Model "${spec}": ${missingModelName(source)} is not in ${where}; run \`${pull}\``);
  }
}
