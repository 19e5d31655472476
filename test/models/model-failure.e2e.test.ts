import { ggufHeader } from "./gguf-fixture.js";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { Writable } from "node:stream";
import pino from "pino";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type RunningServer, startServer } from "../../src/app.js";
import { type ConfigOverrides, loadConfig } from "../../src/config.js";
import { createTempDir, createTestDatabase, type TestDatabase } from "../helpers/test-database.js";
import { chat, TestWsClient } from "../helpers/ws-client.js";
import { type RecordingServer, sendError, startRecordingServer } from "./recording-server.js";
import { TEST_MODEL_CACHE_DIR } from "./local-model-file.js";

const KEY = "sk-operator-key-0123456789abcdef";

let database: TestDatabase;
let provider: RecordingServer;

beforeAll(async () => {
  database = await createTestDatabase();
  provider = await startRecordingServer((_request, response) => sendError(response, { status: 400, message: `model gpt-test does not exist (key ${KEY})` }));
});
afterAll(async () => {
  await provider[Symbol.asyncDispose]();
  await database.drop();
});

/** A server whose log lines are kept, parsed. */
async function serverWithLog(env: ConfigOverrides): Promise<{ server: RunningServer; lines: Record<string, unknown>[] }> {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split("\n").filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const config = loadConfig({ env: {}, overrides: { PORT: 0, HOST: "127.0.0.1", MODEL: "fake", LOG_LEVEL: "info", DATABASE_URL: database.url, SHUTDOWN_GRACE_MS: 2000, ...env } });
  return { server: await startServer({ config, logger: pino({ level: "info" }, sink) }), lines };
}

it("a model failure is logged with its code and scrubbed message, and a stored model the server can no longer build is a model_error", async () => {
  let threadId: string;
  const first = await serverWithLog({ OPENAI_BASE_URL: `${provider.url}/v1`, OPENAI_API_KEY: KEY });
  try {
    const { server, lines } = first;
    const created = await fetch(`${server.url}/assistants`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ graph_id: "chat", context: { model: "openai:gpt-test" } }) });
    const assistantId = ((await created.json()) as { assistant_id: string }).assistant_id;
    await using client = await TestWsClient.connect(server.wsUrl);
    threadId = (await client.call<{ thread_id: string }>("thread.open", { assistant_id: assistantId })).thread_id;
    const { final } = await chat(client, threadId, "hi");
    expect(final.data).toMatchObject({ code: "model_error", message: expect.stringContaining("does not exist") as unknown });
    const finished = lines.find((line) => line.msg === "run finished");
    expect(finished).toMatchObject({ level: 40, status: "error", code: "model_error", error: expect.stringContaining("model gpt-test does not exist") as unknown });
    expect(JSON.stringify(lines)).not.toContain(KEY);
  } finally {
    await first.server.close();
  }
  // Restarted without the OpenAI settings: the stored assistant's runs fail as model failures that say what to set.
  const { server } = await serverWithLog({});
  try {
    await using client = await TestWsClient.connect(server.wsUrl);
    const { final } = await chat(client, threadId, "still there?");
    expect(final.data).toMatchObject({ code: "model_error", message: expect.stringContaining("OPENAI_API_KEY") as unknown });
    const history = await client.call<{ messages: { content: string }[] }>("messages.list", { thread_id: threadId });
    expect(history.messages.map((message) => message.content)).toContain("still there?");
  } finally {
    await server.close();
  }
});

it("an embedded model whose file cannot be loaded falls back to the next model, and is tried again on the next run", async () => {
  await using directory = await createTempDir();
  // An empty GGUF's header and nothing else: it passes the start-up check, and llama.cpp fails to load it.
  const broken = path.join(directory.path, "broken.gguf");
  await writeFile(broken, Buffer.concat([ggufHeader(), Buffer.alloc(300)]));
  const { server } = await serverWithLog({ MODEL: `local:${broken}`, MODEL_FALLBACKS: "fake" });
  try {
    await using client = await TestWsClient.connect(server.wsUrl);
    const { thread_id: threadId } = await client.call<{ thread_id: string }>("thread.open", {});
    for (const text of ["first", "second"]) {
      const { final } = await chat(client, threadId, text);
      expect(final.event, text).toBe("run.completed");
      expect(final.data?.usage).toMatchObject({ by_model: { fake: expect.anything() as unknown } });
    }
  } finally {
    await server.close();
  }
}, 120_000);

it("an assistant's model file that turned into a directory fails its runs as model_error saying so", async () => {
  await using directory = await createTempDir();
  await mkdir(path.join(directory.path, "models", "dirmodel.gguf"), { recursive: true });
  const { server } = await serverWithLog({ DATA_DIR: directory.path });
  try {
    const created = await fetch(`${server.url}/assistants`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ graph_id: "chat", context: { model: "local:dirmodel.gguf", tools: [] } }) });
    const assistantId = ((await created.json()) as { assistant_id: string }).assistant_id;
    await using client = await TestWsClient.connect(server.wsUrl);
    const { thread_id: threadId } = await client.call<{ thread_id: string }>("thread.open", { assistant_id: assistantId });
    const { final } = await chat(client, threadId, "hello");
    expect(final.data).toMatchObject({ code: "model_error", message: expect.stringContaining("dirmodel.gguf is a directory, not a GGUF model file") as unknown });
  } finally {
    await server.close();
  }
}, 60_000);

it("warns at start-up when the default assistant cannot run with this configuration (an embedded context too small for its tools)", async () => {
  const { server, lines } = await serverWithLog({ MODEL: "local", MODEL_CACHE_DIR: TEST_MODEL_CACHE_DIR, MODEL_AUTO_PULL: false, LOCAL_MODEL_CONTEXT_SIZE: 512 });
  try {
    await expect
      .poll(() => lines.find((line) => typeof line.msg === "string" && line.msg.startsWith('the default assistant "chat" cannot run with this configuration')), { timeout: 60_000 })
      .toMatchObject({ level: 40, assistant: "chat" });
  } finally {
    await server.close();
  }
}, 120_000);
