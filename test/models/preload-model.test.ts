import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.js";
import type { Logger } from "../../src/logger.js";
import { disposeLocalRuntimes } from "../../src/models/local/local-model-registry.js";
import { ModelProvider } from "../../src/models/model-provider.js";
import { modelSettingsFromConfig } from "../../src/models/model-settings.js";
import { preloadDefaultModel } from "../../src/models/model-startup.js";
import { localModelAvailable, TEST_MODEL_CACHE_DIR } from "./local-model-file.js";

/** A logger that remembers its messages. */
function recordingLogger(): { logger: Logger; lines: { level: string; msg: string }[] } {
  const lines: { level: string; msg: string }[] = [];
  const record = (level: string) => (_fields: unknown, msg?: string) => lines.push({ level, msg: msg ?? "" });
  return { logger: { info: record("info"), warn: record("warn") } as unknown as Logger, lines };
}

function providerFor(model: string): ModelProvider {
  const config = loadConfig({ env: {}, overrides: { MODEL: model, MODEL_CACHE_DIR: TEST_MODEL_CACHE_DIR, MODEL_AUTO_PULL: false } });
  return new ModelProvider({ defaultModel: config.MODEL, settings: modelSettingsFromConfig(config) });
}

describe("preloading the default model at start", () => {
  it.skipIf(!localModelAvailable())("loads the embedded model's weights before the first message", { timeout: 120_000 }, async () => {
    const { logger, lines } = recordingLogger();
    try {
      await preloadDefaultModel(providerFor("local"), logger);
      expect(lines).toEqual([{ level: "info", msg: "embedded model preloaded" }]);
    } finally {
      await disposeLocalRuntimes();
    }
  });

  it("does nothing for a remote or scripted model", async () => {
    const { logger, lines } = recordingLogger();
    await preloadDefaultModel(providerFor("fake"), logger);
    expect(lines).toEqual([]);
  });

  it("logs a warning and never throws when the model cannot be made", async () => {
    const { logger, lines } = recordingLogger();
    await preloadDefaultModel({ get: () => Promise.reject(new Error("no such model")) }, logger);
    expect(lines).toEqual([{ level: "warn", msg: "could not preload the embedded model" }]);
  });
});
