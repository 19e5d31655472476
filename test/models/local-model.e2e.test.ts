import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningServer } from "../../src/app.js";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database.js";
import { startTestServer } from "../helpers/test-server.js";
import { type Frame, TestWsClient } from "../helpers/ws-client.js";
import { localModelAvailable, TEST_MODEL_CACHE_DIR } from "./local-model-file.js";

const available = localModelAvailable();
const MODEL_NAME = "local:SmolLM2-135M-Instruct.Q4_1";

let database: TestDatabase;
let server: RunningServer;

describe.skipIf(!available)("the embedded model end to end over the WebSocket protocol", () => {
  beforeAll(async () => {
    database = await createTestDatabase();
    server = await startTestServer({
      databaseUrl: database.url,
      // Delta compaction at every sweep: the reply's deltas must be recognised as those of the completed message.
      env: { MODEL: "local", MODEL_CACHE_DIR: TEST_MODEL_CACHE_DIR, MODEL_AUTO_PULL: false, LOCAL_MODEL_MAX_TOKENS: 96, EVENT_DELTA_RETENTION_MINUTES: 0 },
    });
  }, 120_000);
  afterAll(async () => {
    await server?.close();
    await database?.drop();
  });

  async function createAssistant(context: Record<string, unknown>): Promise<string> {
    const response = await fetch(`${server.url}/assistants`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ graph_id: "chat", context: { model: "local", temperature: 0, seed: 42, ...context } }),
    });
    expect(response.status).toBe(200);
    return ((await response.json()) as { assistant_id: string }).assistant_id;
  }

  /** Like the shared `chat` helper, with room for a small CPU model on a busy machine. */
  async function chat(client: TestWsClient, threadId: string, content: string): Promise<{ runId: string; final: Frame }> {
    const { run_id } = await client.call<{ run_id: string }>("run.start", { thread_id: threadId, input: { messages: [{ role: "user", content }] } }, 30_000);
    // run.interrupted too: a tool needing approval ends the run there, and the test should fail at once, not hang.
    const final = await client.waitFor((frame) => frame.run_id === run_id && ["run.completed", "run.failed", "run.interrupted"].includes(frame.event ?? ""), 170_000);
    return { runId: run_id, final };
  }

  function runEvents(client: TestWsClient, runId: string, event: string): Frame[] {
    return client.events().filter((frame) => frame.run_id === runId && frame.event === event);
  }

  it("streams a reply as message.delta events and reports usage per model", async () => {
    // No tools: with every tool bound, a 135M model's greedy choice for a plain question can be a tool call (even
    // send_email, which stops at an approval); this test is about streaming an answer.
    const assistantId = await createAssistant({ tools: [] });
    await using client = await TestWsClient.connect(server.wsUrl);
    const { thread_id } = await client.call<{ thread_id: string }>("thread.open", { assistant_id: assistantId });
    const { runId, final } = await chat(client, thread_id, "Tell me about Paris in two sentences.");
    expect(final.event).toBe("run.completed");
    const deltas = runEvents(client, runId, "message.delta");
    expect(deltas.length).toBeGreaterThanOrEqual(2);
    const text = deltas.map((frame) => String(frame.data?.text)).join("");
    expect(text.trim().length).toBeGreaterThan(0);
    const completed = runEvents(client, runId, "message.completed").map((frame) => frame.data?.message as { role: string; content: string });
    expect(completed.at(-1)).toMatchObject({ role: "assistant", content: text });
    const usage = final.data?.usage as { by_model: Record<string, { input_tokens: number; output_tokens: number }> };
    expect(usage.by_model[MODEL_NAME]?.output_tokens).toBeGreaterThan(0);

    // The model's chunks and its completed reply share an id, so the sweep finds the deltas redundant.
    await server.services.active.drain(10_000);
    expect((await server.services.lifecycle.sweep()).deltas_compacted).toBeGreaterThanOrEqual(deltas.length);
    const left = await server.services.pool.query("SELECT 1 FROM thread_events WHERE run_id = $1 AND event = 'message.delta'", [runId]);
    expect(left.rowCount).toBe(0);
  }, 180_000);

  it("marks a reply stopped at its max_tokens as truncated", async () => {
    const assistantId = await createAssistant({ tools: [], max_tokens: 6 });
    await using client = await TestWsClient.connect(server.wsUrl);
    const { thread_id } = await client.call<{ thread_id: string }>("thread.open", { assistant_id: assistantId });
    const { runId, final } = await chat(client, thread_id, "Tell me about Paris in two sentences.");
    expect(final.event).toBe("run.completed");
    const completed = runEvents(client, runId, "message.completed").map((frame) => frame.data?.message as { role: string; status?: string });
    expect(completed.at(-1)).toMatchObject({ role: "assistant", status: "truncated" });
  }, 180_000);

  it("round-trips a tool call: only calculator bound, validated arguments, then the final reply", async () => {
    const assistantId = await createAssistant({ tools: ["calculator"] });
    await using client = await TestWsClient.connect(server.wsUrl);
    const { thread_id } = await client.call<{ thread_id: string }>("thread.open", { assistant_id: assistantId });
    const { runId, final } = await chat(client, thread_id, "Use the calculator to compute 12 * (3 + 4).");
    expect(final.event).toBe("run.completed");
    const started = runEvents(client, runId, "tool.started");
    expect(started).toHaveLength(1);
    expect(started[0]?.data?.name).toBe("calculator");
    expect(typeof (started[0]?.data?.args as { expression?: unknown } | undefined)?.expression).toBe("string");
    const completed = runEvents(client, runId, "tool.completed")[0]?.data;
    expect(completed?.error).toBeUndefined();
    expect(completed).toMatchObject({ name: "calculator", output: "84" });
    const messages = runEvents(client, runId, "message.completed").map((frame) => frame.data?.message as { role: string; content: string });
    expect(messages.map((message) => message.role)).toEqual(["user", "assistant", "tool", "assistant"]);
    expect(messages.at(-1)?.content.trim().length).toBeGreaterThan(0);
  }, 180_000);

  it("cancelling mid-generation stops the model within a few tokens", async () => {
    const assistantId = await createAssistant({ tools: [], max_tokens: 800 });
    await using client = await TestWsClient.connect(server.wsUrl);
    const { thread_id } = await client.call<{ thread_id: string }>("thread.open", { assistant_id: assistantId });
    const { run_id } = await client.call<{ run_id: string }>("run.start", { thread_id, input: { messages: [{ role: "user", content: "Write a very long story about a dragon and a knight." }] } }, 30_000);
    await client.waitFor((frame) => frame.run_id === run_id && frame.event === "message.delta" && runEvents(client, run_id, "message.delta").length >= 3, 120_000);
    await client.call("run.cancel", { thread_id, run_id }, 30_000);
    const deltasAtCancel = runEvents(client, run_id, "message.delta").length;
    const failed = await client.waitForEvent("run.failed", { run_id }, 30_000);
    expect(failed.data).toMatchObject({ status: "cancelled" });
    // Let anything still in flight arrive, then count what came after the cancel was acknowledged.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(runEvents(client, run_id, "message.delta").length - deltasAtCancel).toBeLessThanOrEqual(3);
    expect(runEvents(client, run_id, "message.delta").length).toBeLessThan(200);

    // The context sequence went back to the pool: the model keeps serving.
    const other = await client.call<{ thread_id: string }>("thread.open", { assistant_id: assistantId, window_id: "after-cancel" });
    const next = await chat(client, other.thread_id, "Say hello.");
    expect(next.final.event).toBe("run.completed");
  }, 180_000);

  it("refuses a context budget larger than the model's window: the setting, capped at the model's training size", async () => {
    const create = async (url: string, budget: number) => {
      const response = await fetch(`${url}/assistants`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ graph_id: "chat", context: { model: "local", tools: [], context_budget: budget } }),
      });
      return { status: response.status, body: (await response.json()) as { code: string; details?: { context_window?: number } } };
    };
    expect(await create(server.url, 5_000)).toMatchObject({ status: 400, body: { code: "invalid_request", details: { context_window: 4_096 } } });
    // SmolLM2 was trained on 8,192 tokens: a larger setting is capped when the model loads, and budgets follow.
    const large = await startTestServer({
      databaseUrl: database.url,
      env: { MODEL: "local", MODEL_CACHE_DIR: TEST_MODEL_CACHE_DIR, MODEL_AUTO_PULL: false, LOCAL_MODEL_CONTEXT_SIZE: 32_768, LOCAL_MODEL_SEQUENCES: 1 },
    });
    try {
      expect(await create(large.url, 10_000)).toMatchObject({ status: 400, body: { details: { context_window: 8_192 } } });
      expect((await create(large.url, 8_000)).status).toBe(200);
    } finally {
      await large.close();
    }
  }, 120_000);

  it("completes 20 concurrent runs on 20 sessions", async () => {
    const assistantId = await createAssistant({ tools: [], max_tokens: 24 });
    await using client = await TestWsClient.connect(server.wsUrl);
    const threads = await Promise.all(
      Array.from({ length: 20 }, (_, index) => client.call<{ thread_id: string }>("thread.open", { assistant_id: assistantId, window_id: `window-${index}` })),
    );
    const results = await Promise.all(
      threads.map(async ({ thread_id }, index) => {
        const { run_id } = await client.call<{ run_id: string }>("run.start", { thread_id, input: { messages: [{ role: "user", content: `Name three animals. (${index})` }] } }, 30_000);
        const final = await client.waitFor((frame) => frame.run_id === run_id && (frame.event === "run.completed" || frame.event === "run.failed"), 290_000);
        return { final, text: runEvents(client, run_id, "message.delta").map((frame) => String(frame.data?.text)).join("") };
      }),
    );
    for (const { final, text } of results) {
      expect(final.event).toBe("run.completed");
      expect(text.trim().length).toBeGreaterThan(0);
      expect(text).not.toMatch(/<\|im_(start|end)\|>/);
    }
  }, 300_000);
});
