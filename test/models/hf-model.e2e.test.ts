import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningServer } from "../../src/app.js";
import { findLocalModelFile } from "../../src/models/local/local-model-source.js";
import { createTempDir, createTestDatabase, type TestDatabase } from "../helpers/test-database.js";
import { startTestServer } from "../helpers/test-server.js";
import { TestWsClient } from "../helpers/ws-client.js";
import { startHuggingFaceMirror } from "./hugging-face-mirror.js";
import { localModelAvailable, TEST_MODEL_CACHE_DIR } from "./local-model-file.js";

const BIN = path.resolve(import.meta.dirname, "../../bin/threadline.js");
const run = promisify(execFile);
const available = localModelAvailable();
const URI = "hf:tester/SmolLM2-135M-Instruct-GGUF:Q4_1";
const TOKEN = "hf_e2e_secret_token";

let work: { path: string } & AsyncDisposable;
let database: TestDatabase;
let server: RunningServer | undefined;

/**
 * An `hf:` model the way a user behind a mirror gets one: `threadline models pull hf:…` with HF_ENDPOINT and HF_TOKEN
 * (node-llama-cpp's own resolver, against a local stand-in for the mirror serving the real SmolLM2 file), then a
 * server with MODEL=local:hf:… answering over WebSocket with the mirror gone.
 */
describe.skipIf(!available)("an hf: model pulled through a Hugging Face mirror, then chatted with offline", { timeout: 400_000 }, () => {
  beforeAll(async () => {
    work = await createTempDir("hf-model-");
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await server?.close();
    await database?.drop();
    await work?.[Symbol.asyncDispose]();
  });

  it("pulls with progress into DATA_DIR/models, keeping the token out of the output", async () => {
    const file = findLocalModelFile({ kind: "default" }, { modelsDir: path.resolve("data/models"), cacheDir: TEST_MODEL_CACHE_DIR });
    const body = await readFile(file as string);
    const mirror = await startHuggingFaceMirror({ repository: { user: "tester", model: "SmolLM2-135M-Instruct-GGUF", fileName: "SmolLM2-135M-Instruct.Q4_1.gguf", body }, token: TOKEN });
    try {
      const pulled = await run(process.execPath, [BIN, "models", "pull", URI, "--data-dir", path.join(work.path, "data"), "--cache-dir", path.join(work.path, "cache")], {
        env: { PATH: process.env.PATH ?? "", HOME: work.path, HF_ENDPOINT: mirror.url, HF_TOKEN: TOKEN },
        timeout: 180_000,
      });
      expect(pulled.stdout.trim()).toMatch(new RegExp(`^${path.join(work.path, "data", "models")}/.*SmolLM2-135M-Instruct\\.Q4_1\\.gguf$`));
      expect(pulled.stderr).toContain(`downloading from ${URI}`);
      expect(pulled.stderr).toMatch(/100% \d+\.\d MB \/ \d+\.\d MB/);
      expect(pulled.stderr).toContain(`use it with MODEL=local:${URI}`);
      expect(pulled.stdout + pulled.stderr).not.toContain(TOKEN);
      expect((await readFile(pulled.stdout.trim())).equals(body)).toBe(true);
      expect(mirror.requests.some((request) => request.path.startsWith("/v2/tester/SmolLM2-135M-Instruct-GGUF/manifests/"))).toBe(true);
    } finally {
      await mirror.close();
    }
  });

  it("serves MODEL=local:hf:… from the pulled file, without the mirror", async () => {
    server = await startTestServer({
      databaseUrl: database.url,
      env: { MODEL: `local:${URI}`, DATA_DIR: path.join(work.path, "data"), MODEL_CACHE_DIR: path.join(work.path, "cache"), MODEL_AUTO_PULL: false, LOCAL_MODEL_MAX_TOKENS: 48 },
    });
    const created = await fetch(`${server.url}/assistants`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ graph_id: "chat", context: { tools: [], temperature: 0, seed: 42 } }),
    });
    const { assistant_id } = (await created.json()) as { assistant_id: string };
    await using client = await TestWsClient.connect(server.wsUrl);
    const { thread_id } = await client.call<{ thread_id: string }>("thread.open", { assistant_id });
    const { run_id } = await client.call<{ run_id: string }>("run.start", { thread_id, input: { messages: [{ role: "user", content: "Say hello." }] } }, 30_000);
    const final = await client.waitFor((frame) => frame.run_id === run_id && ["run.completed", "run.failed", "run.interrupted"].includes(frame.event ?? ""), 170_000);
    expect(final.event).toBe("run.completed");
    const text = client
      .events()
      .filter((frame) => frame.run_id === run_id && frame.event === "message.delta")
      .map((frame) => String(frame.data?.text))
      .join("");
    expect(text.trim().length).toBeGreaterThan(0);
    expect(JSON.stringify(final.data?.usage)).toContain(`local:${URI}`);
  });
});
