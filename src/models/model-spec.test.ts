import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LocalModelSettings, ModelSettings } from "./model-settings.js";
import { onlyDefaultTemperature, parseModelSpec, validateModelSpec } from "./model-spec.js";

let directory: string;
let local: LocalModelSettings;
beforeAll(async () => {
  directory = await mkdtemp(path.join(tmpdir(), "model-spec-"));
  local = { modelsDir: path.join(directory, "models"), cacheDir: path.join(directory, "cache"), autoPull: true, threads: 0, contextSize: 2048, sequences: 1, queueLimit: 1, maxTokens: 16, maxToolRounds: 1, gpu: false };
});
afterAll(() => rm(directory, { recursive: true, force: true }));

const bare: ModelSettings = { fakeChunkDelayMs: 0 };

describe("parseModelSpec", () => {
  it.each([
    ["openai:gpt-4o-mini", { provider: "openai", model: "gpt-4o-mini" }],
    ["ollama:qwen2.5:7b", { provider: "ollama", model: "qwen2.5:7b" }],
    ["local", { provider: "local", model: "" }],
    ["local:hf:bartowski/SmolLM2-360M-Instruct-GGUF:Q4_K_M", { provider: "local", model: "hf:bartowski/SmolLM2-360M-Instruct-GGUF:Q4_K_M" }],
    ["fake", { provider: "fake", model: "fake" }],
  ])("%s", (spec, expected) => {
    expect(parseModelSpec(spec)).toEqual(expected);
  });

  it("explains the expected shape", () => {
    expect(() => parseModelSpec("gpt-4o")).toThrow(/provider:model.*"local" or "fake"/);
  });

  it.each(["openai: gpt-4o", "openai :gpt-4o", "openai : gpt-4o"])("refuses spaces around the colon: %j", (spec) => {
    expect(() => parseModelSpec(spec)).toThrow(/spaces around its ":"/);
  });

  it("ignores spaces around the whole string", () => {
    expect(parseModelSpec("  openai:gpt-4o ")).toEqual({ provider: "openai", model: "gpt-4o" });
  });
});

describe("validateModelSpec", () => {
  it("names what to set for each provider", () => {
    expect(() => validateModelSpec("openai:gpt-4o-mini", bare)).toThrow(/needs OPENAI_API_KEY \(or OPENAI_BASE_URL/);
    expect(() => validateModelSpec("anthropic:claude-haiku-4-5", bare)).toThrow(/needs ANTHROPIC_API_KEY/);
    expect(() => validateModelSpec("mistral:large", bare)).toThrow(/Unknown model provider "mistral".*openai, anthropic, ollama, local, fake/);
  });

  it("accepts an OpenAI-compatible server without a key, through the env or the assistant's base_url", () => {
    expect(validateModelSpec("openai:deepseek-chat", { ...bare, openAiBaseUrl: "http://127.0.0.1:8000/v1" }).provider).toBe("openai");
    expect(validateModelSpec("openai:qwen-plus", bare, { baseUrl: "https://dashscope.aliyuncs.com/compatible-mode/v1" }).provider).toBe("openai");
  });

  it("keeps assistants to model files where pulls put them, not arbitrary paths", async () => {
    const settings = { ...bare, local };
    expect(() => validateModelSpec("local:/etc/passwd", settings)).toThrow(/an assistant may name a model file in .* not a path/);
    await writeFile(path.join(directory, "pulled.gguf"), "GGUF");
    const pulled = { ...settings, local: { ...local, modelsDir: directory } };
    expect(validateModelSpec("local:pulled.gguf", pulled).model).toBe("pulled.gguf");
  });

  it("does not let an assistant probe the server's working directory, . or .., nor name the server's directories", () => {
    const settings = { ...bare, local };
    // package.json is in the working directory of the tests: an operator's MODEL may name it, an assistant may not.
    for (const name of ["package.json", ".", "..", ".env"]) {
      expect(() => validateModelSpec(`local:${name}`, settings), name).toThrow(expect.objectContaining({ code: "invalid_request" }) as Error);
    }
    const message = (() => {
      try {
        validateModelSpec("local:package.json", settings);
        return "";
      } catch (error) {
        return (error as Error).message;
      }
    })();
    expect(message).toContain("DATA_DIR/models");
    expect(message).not.toContain(local.modelsDir);
    expect(validateModelSpec("local:package.json", settings, { allowLocalPaths: true }).model).toBe("package.json");
  });

  it("fails with an AppError invalid_request", () => {
    expect(() => validateModelSpec("nope:x", bare)).toThrow(expect.objectContaining({ name: "AppError", code: "invalid_request" }) as Error);
  });

  it("requires the embedded model's file, unless start-up will pull it", async () => {
    const settings = { ...bare, local };
    expect(() => validateModelSpec("local", settings)).toThrow(/SmolLM2-135M-Instruct.Q4_1 is not in .* run `threadline models pull`/);
    expect(validateModelSpec("local", settings, { requireLocalFile: false }).provider).toBe("local");
    expect(() => validateModelSpec("local:my-model.gguf", settings)).toThrow(/run `threadline models pull my-model.gguf`/);
    const file = path.join(directory, "my-model.gguf");
    await writeFile(file, "GGUF");
    expect(validateModelSpec(`local:${file}`, settings, { allowLocalPaths: true }).model).toBe(file);
    expect(validateModelSpec("local:hf:user/repo:Q4_K_M", settings).provider).toBe("local");
    expect(() => validateModelSpec("local", bare)).toThrow(/not available in this process/);
  });
});

describe("temperature of models that take only their default", () => {
  const keyed: ModelSettings = { ...bare, openAiApiKey: "sk-test" };

  it.each(["o1", "o3-mini", "o4-mini-2025-04-16", "gpt-5", "gpt-5-mini"])("refuses a temperature other than 1 for openai:%s, saying what to change", (name) => {
    expect(() => validateModelSpec(`openai:${name}`, keyed, { temperature: 0 })).toThrow(
      expect.objectContaining({ code: "invalid_request", message: expect.stringContaining('takes no temperature but its default (1), not 0: remove "temperature"') as string }) as Error,
    );
    expect(validateModelSpec(`openai:${name}`, keyed, { temperature: 1 }).model).toBe(name);
    expect(validateModelSpec(`openai:${name}`, keyed).model).toBe(name);
  });

  it("leaves every other model its temperature", () => {
    for (const spec of ["openai:gpt-4o-mini", "openai:gpt-5-chat-latest", "openai:qwen-plus", "ollama:o3-like"]) {
      expect(validateModelSpec(spec, keyed, { temperature: 0 }).model, spec).toBeTruthy();
    }
    expect(onlyDefaultTemperature("anthropic:claude-haiku-4-5")).toBe(false);
  });
});
