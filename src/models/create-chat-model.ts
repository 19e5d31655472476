import { assertGgufFile } from "./local/gguf-magic.js";
import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { FakeChatModel } from "./fake-chat-model.js";
import { LocalChatModel } from "./local/local-chat-model.js";
import { sharedLocalRuntime } from "./local/local-model-registry.js";
import type { LocalModelRuntime } from "./local/local-model-runtime.js";
import { describeLocalModelSource, missingModelName, type LocalModelSource, parseLocalModelSource } from "./local/local-model-source.js";
import { resolveLocalModelFile } from "./local/pull-model.js";
import { type LocalModelSettings, type ModelSettings, secretsOf } from "./model-settings.js";
import { type ModelOverrides, type ModelSpec, onlyDefaultTemperature, validateModelSpec } from "./model-spec.js";
import { createProviderChatModel } from "./provider-chat-model.js";
import { type ModelCandidate, ResilientChatModel } from "./resilient-chat-model.js";

export type { ModelSettings } from "./model-settings.js";
export { parseModelSpec, validateModelSpec, type ModelOverrides, type ModelSpec } from "./model-spec.js";

/** Per-call inactivity timeout when neither the settings nor the assistant set one. */
export const DEFAULT_MODEL_TIMEOUT_MS = 120_000;

/**
 * Build the chat model for a model string: the model itself, then MODEL_FALLBACKS, behind one timeout and fallback
 * wrapper. A lone `fake` stays unwrapped so its scripted behaviour (and failure messages) are exactly the script's.
 * @example const model = await createChatModel("openai:gpt-4o-mini", settings, { temperature: 0 });
 */
export async function createChatModel(spec: string, settings: ModelSettings, overrides: ModelOverrides = {}): Promise<BaseChatModel> {
  // Stored assistants were validated when created; the server's own models at start-up.
  validateModelSpec(spec, settings, { ...overrides, requireLocalFile: false, allowLocalPaths: true });
  const specs = [spec, ...(settings.fallbacks ?? []).filter((fallback) => fallback !== spec)];
  if (specs.length === 1 && spec.trim() === "fake") return buildCandidate(spec, settings, overrides);
  const candidates: ModelCandidate[] = [];
  for (const candidateSpec of specs) {
    // Fallbacks do not inherit the assistant's base_url: it belongs to the assistant's own provider. Nor its
    // temperature when they take none (OpenAI's reasoning models): it was set for the assistant's model, and sent
    // it would fail the fallback with a 400.
    const candidateOverrides =
      candidateSpec === spec ? overrides : { ...overrides, baseUrl: undefined, temperature: onlyDefaultTemperature(candidateSpec) ? undefined : overrides.temperature };
    candidates.push({ spec: candidateSpec, model: await buildCandidate(candidateSpec, settings, candidateOverrides) });
  }
  return new ResilientChatModel({ candidates, timeoutMs: overrides.timeoutMs ?? settings.timeoutMs ?? DEFAULT_MODEL_TIMEOUT_MS, secrets: secretsOf(settings), maxRetries: settings.maxRetries ?? 2 });
}

async function buildCandidate(spec: string, settings: ModelSettings, overrides: ModelOverrides): Promise<BaseChatModel> {
  const parsed = validateModelSpec(spec, settings, { ...overrides, requireLocalFile: false, allowLocalPaths: true });
  switch (parsed.provider) {
    case "fake":
      return new FakeChatModel({ chunkDelayMs: settings.fakeChunkDelayMs, replyMinChars: settings.fakeReplyMinChars });
    case "local":
      return createLocalChatModel(parsed, settings, overrides);
    default:
      return createProviderChatModel(parsed, settings, overrides);
  }
}

function createLocalChatModel(parsed: ModelSpec, settings: ModelSettings, overrides: ModelOverrides): LocalChatModel {
  const local = settings.local as LocalModelSettings;
  const source = parseLocalModelSource(parsed.model);
  // Resolved once per model: an hf: URI's file name may take a network round trip to work out.
  let runtime: Promise<LocalModelRuntime> | undefined;
  const loadOnce = () =>
    (runtime ??= loadRuntime(source, local, settings).catch((error: unknown) => {
      runtime = undefined;
      throw error;
    }));
  return new LocalChatModel({
    runtime: loadOnce,
    modelName: `local:${describeLocalModelSource(source)}`,
    temperature: overrides.temperature ?? 0,
    maxTokens: overrides.maxTokens ?? local.maxTokens,
    seed: overrides.seed,
    maxToolRounds: local.maxToolRounds,
    contextSize: local.contextSize,
  });
}

async function loadRuntime(source: LocalModelSource, local: LocalModelSettings, settings: ModelSettings): Promise<LocalModelRuntime> {
  const modelPath = await resolveLocalModelFile(source, local);
  if (!modelPath) {
    const argument = source.kind === "remote" ? ` ${source.uri}` : source.kind === "file" ? ` ${source.path}` : "";
    // Reaches users in run.failed: the server's directories are named by their settings, not their paths.
    throw new Error(`${missingModelName(source)} is not in the server's model directory (DATA_DIR/models) or its download cache (MODEL_CACHE_DIR): run \`threadline models pull${argument}\``);
  }
  // What an assistant names may have appeared since start-up without the start-up check: a directory, an HTML page.
  await assertGgufFile(modelPath);
  return sharedLocalRuntime({
    modelPath,
    threads: local.threads,
    contextSize: local.contextSize,
    sequences: local.sequences,
    queueLimit: local.queueLimit,
    gpu: local.gpu,
    logger: settings.logger,
  }).catch((error: unknown) => {
    // Start-up checks the default model's size, not its hash (93 MB at every start): a damaged copy fails here.
    const repair = source.kind === "default" ? `; if the file is damaged, delete it and run \`threadline models pull\` (it verifies the download)` : "";
    throw new Error(`the embedded model ${describeLocalModelSource(source)} could not be loaded: ${error instanceof Error ? error.message : String(error)}${repair}`, { cause: error });
  });
}
