import { ggufHeader } from "./gguf-fixture.js";
import { mkdir, truncate, writeFile } from "node:fs/promises";
import path from "node:path";
import { Writable } from "node:stream";
import { pino } from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../src/config.js";
import { DEFAULT_LOCAL_MODEL } from "../../src/models/local/default-local-model.js";
import { modelSettingsFromConfig } from "../../src/models/model-settings.js";
import { prepareModels, validateConfiguredModels } from "../../src/models/model-startup.js";
import { createTempDir } from "../helpers/test-database.js";

let work: { path: string } & AsyncDisposable;
beforeEach(async () => {
  work = await createTempDir("model-config-");
});
afterEach(() => work[Symbol.asyncDispose]());

function capturingLogger(): { logger: pino.Logger; lines: () => Record<string, unknown>[] } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { logger: pino({ level: "info" }, stream), lines: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>) };
}

describe("the default model", () => {
  it("is the embedded model when no provider is configured and no key is present", () => {
    const config = loadConfig({ env: {} });
    expect(config).toMatchObject({ MODEL: "local", modelIsDefault: true, MODEL_FALLBACKS: [] });
  });

  it("follows the key that is present", () => {
    expect(loadConfig({ env: { OPENAI_API_KEY: "sk-x" } }).MODEL).toBe("openai:gpt-4o-mini");
    expect(loadConfig({ env: { ANTHROPIC_API_KEY: "sk-ant-x" } }).MODEL).toBe("anthropic:claude-haiku-4-5");
    expect(loadConfig({ env: { MODEL: "fake", OPENAI_API_KEY: "sk-x" } })).toMatchObject({ MODEL: "fake", modelIsDefault: false });
  });

  it("asks for MODEL when only an OpenAI-compatible base URL is set", () => {
    expect(() => loadConfig({ env: { OPENAI_BASE_URL: "http://127.0.0.1:8000/v1" } })).toThrow(ConfigError);
    expect(() => loadConfig({ env: { OPENAI_BASE_URL: "http://127.0.0.1:8000/v1" } })).toThrow(/set MODEL \(or --model\) to openai:/);
  });

  it("reads the fallback chain and the model settings", () => {
    const config = loadConfig({ env: { MODEL: "fake", MODEL_FALLBACKS: " openai:gpt-4o-mini , local ", OPENAI_API_KEY: "sk-x", DATA_DIR: work.path, MODEL_TIMEOUT_MS: "5000" } });
    expect(config.MODEL_FALLBACKS).toEqual(["openai:gpt-4o-mini", "local"]);
    const settings = modelSettingsFromConfig(config);
    expect(settings).toMatchObject({ fallbacks: ["openai:gpt-4o-mini", "local"], timeoutMs: 5000, maxRetries: 2, openAiApiKey: "sk-x" });
    expect(settings.local?.modelsDir).toBe(path.join(work.path, "models"));
  });

  it("rejects an unusable fallback at start-up, naming what to set", () => {
    const config = loadConfig({ env: { MODEL: "fake", MODEL_FALLBACKS: "anthropic:claude-haiku-4-5" } });
    expect(() => validateConfiguredModels(config, modelSettingsFromConfig(config))).toThrow(/needs ANTHROPIC_API_KEY/);
  });
});

describe("prepareModels (serve start-up)", () => {
  it("says in the log that the embedded model answers when nothing else is configured", async () => {
    const cacheDir = path.join(work.path, "cache");
    await mkdir(cacheDir);
    // A file of the model's exact size, starting like a GGUF file, stands in for it: start-up checks presence and
    // the magic; pulls check the hash.
    const file = path.join(cacheDir, DEFAULT_LOCAL_MODEL.fileName);
    await writeFile(file, ggufHeader());
    await truncate(file, DEFAULT_LOCAL_MODEL.sizeBytes);
    const config = loadConfig({ env: { DATA_DIR: work.path, MODEL_CACHE_DIR: cacheDir } });
    const { logger, lines } = capturingLogger();
    await prepareModels({ config, settings: modelSettingsFromConfig(config), logger });
    expect(lines().map((line) => line.msg)).toContainEqual(expect.stringMatching(/^No MODEL and no API key: using the embedded model SmolLM2-135M-Instruct/));
  });

  it("refuses to start on a default model whose header was damaged (same size), saying how to repair it", async () => {
    const cacheDir = path.join(work.path, "damaged-cache");
    await mkdir(cacheDir);
    const file = path.join(cacheDir, DEFAULT_LOCAL_MODEL.fileName);
    const header = ggufHeader();
    header.writeUInt32LE(0xffff_ffff, 8);
    await writeFile(file, header);
    await truncate(file, DEFAULT_LOCAL_MODEL.sizeBytes);
    const config = loadConfig({ env: { DATA_DIR: work.path, MODEL_CACHE_DIR: cacheDir, MODEL_AUTO_PULL: "false" } });
    await expect(prepareModels({ config, settings: modelSettingsFromConfig(config), logger: capturingLogger().logger })).rejects.toThrow(
      /is damaged: its header announces .* delete it and run `threadline models pull`/,
    );
  });

  it("fails with the command to run when the model is missing and auto-pull is off", async () => {
    const config = loadConfig({ env: { DATA_DIR: work.path, MODEL_CACHE_DIR: path.join(work.path, "empty"), MODEL_AUTO_PULL: "false" } });
    await expect(prepareModels({ config, settings: modelSettingsFromConfig(config), logger: capturingLogger().logger })).rejects.toThrow(/run `threadline models pull`/);
  });

  it("refuses to start on a model file that is not GGUF, and on a path that does not exist, without pulling", async () => {
    const readme = path.join(work.path, "README.md");
    await writeFile(readme, "# not a model");
    const notModel = loadConfig({ env: { DATA_DIR: work.path, MODEL: `local:${readme}` } });
    await expect(prepareModels({ config: notModel, settings: modelSettingsFromConfig(notModel), logger: capturingLogger().logger })).rejects.toThrow(/README\.md is not a GGUF model file/);
    const missing = loadConfig({ env: { DATA_DIR: work.path, MODEL: "local:/nope.gguf" } });
    const { logger, lines } = capturingLogger();
    await expect(prepareModels({ config: missing, settings: modelSettingsFromConfig(missing), logger })).rejects.toThrow(/local:\/nope\.gguf: the model file \/nope\.gguf does not exist/);
    expect(lines().map((line) => line.msg)).not.toContainEqual(expect.stringContaining("pulling"));
  });
});
