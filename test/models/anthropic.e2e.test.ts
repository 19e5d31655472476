import type { ServerResponse } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningServer } from "../../src/app.js";
import { SHAPED_ANSWER_REQUEST } from "../../src/models/provider-messages.js";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database.js";
import { startTestServer } from "../helpers/test-server.js";
import { chat, TestWsClient } from "../helpers/ws-client.js";
import { writeAnthropicStream } from "./anthropic-stream.js";
import { type RecordingServer, startRecordingServer } from "./recording-server.js";

// Threadline runs on a stand-in for Anthropic's Messages API: what Claude sends that an OpenAI-shaped runtime
// mishandles (empty replies, prefill, where the stop reason is), through real runs.

let database: TestDatabase;
let provider: RecordingServer;
let server: RunningServer;

beforeAll(async () => {
  database = await createTestDatabase();
  provider = await startRecordingServer();
  server = await startTestServer({
    databaseUrl: database.url,
    env: { MODEL: "anthropic:claude-test", ANTHROPIC_BASE_URL: provider.url, ANTHROPIC_API_KEY: "sk-ant-test-000000000000", MODEL_MAX_RETRIES: 0 },
  });
});
afterAll(async () => {
  await server.close();
  await provider[Symbol.asyncDispose]();
  await database.drop();
});

interface SentMessage {
  role: string;
  content: unknown;
}
const sentMessages = (index: number) => (provider.requests[index]?.body.messages ?? []) as SentMessage[];
const isEmpty = (content: unknown) => (typeof content === "string" ? content.trim() === "" : Array.isArray(content) && content.length === 0);

/** A non-streamed Messages API answer calling the forced tool with `input`. */
function answerWithTool(response: ServerResponse, name: string, input: Record<string, unknown>): void {
  response.writeHead(200, { "content-type": "application/json" }).end(
    JSON.stringify({
      id: "msg_2", type: "message", role: "assistant", model: "claude-test", stop_reason: "tool_use", stop_sequence: null,
      content: [{ type: "tool_use", id: "toolu_shape", name, input }],
      usage: { input_tokens: 30, output_tokens: 8 },
    }),
  );
}

async function openThread(client: TestWsClient, assistantId?: string): Promise<string> {
  const { thread_id } = await client.call<{ thread_id: string }>("thread.open", assistantId ? { assistant_id: assistantId } : {});
  return thread_id;
}

describe("Claude behind a Threadline run", () => {
  it("an empty reply (a refusal) does not break the thread: later requests leave it out", async () => {
    provider.handle((_request, response, index) => writeAnthropicStream(response, index === 0 ? { stopReason: "refusal" } : { text: ["Happy to help", " with that."] }));
    const first = provider.requests.length;
    await using client = await TestWsClient.connect(server.wsUrl);
    const threadId = await openThread(client);
    expect((await chat(client, threadId, "Something Claude declines")).final.event).toBe("run.completed");
    const { final } = await chat(client, threadId, "Then something else");
    expect(final.event, JSON.stringify(final.data)).toBe("run.completed");
    // Anthropic refuses any request with an empty message but a final one: none is sent.
    const sent = sentMessages(first + 1);
    expect(sent.filter((message) => message.role === "assistant" && isEmpty(message.content))).toEqual([]);
    expect(JSON.stringify(sent)).toContain("Then something else");
  });

  it("tool calls of a reply cut off at max_tokens never run (the stop reason is where @langchain/anthropic's stream puts it)", async () => {
    provider.handle((request, response) => {
      const messages = request.body.messages as SentMessage[];
      const answered = JSON.stringify(messages.at(-1)?.content ?? "").includes("tool_result");
      if (answered) return writeAnthropicStream(response, { text: ["Sorry, my answer was cut off."] });
      return writeAnthropicStream(response, { text: ["Let me compute."], toolUses: [{ id: "toolu_1", name: "calculator", inputPieces: ['{"expression": ', '"2+2"}'] }], stopReason: "max_tokens" });
    });
    await using client = await TestWsClient.connect(server.wsUrl);
    const threadId = await openThread(client);
    const { runId, final } = await chat(client, threadId, "What is 2+2?");
    expect(final.event, JSON.stringify(final.data)).toBe("run.completed");
    const events = client.events(threadId).filter((frame) => frame.run_id === runId);
    expect(events.filter((frame) => frame.event === "tool.started")).toEqual([]);
    const completed = events.find((frame) => frame.event === "tool.completed")?.data as { error?: string } | undefined;
    expect(completed?.error).toMatch(/cut off at its token limit/);
  });

  it("a shaped answer's call ends with a user turn (Claude refuses a final assistant message: prefill)", async () => {
    provider.handle((request, response) => {
      if (request.body.stream === true) return writeAnthropicStream(response, { text: ["The answer is 42.\n"] });
      const tool = (request.body.tool_choice as { name: string }).name;
      return answerWithTool(response, tool, { answer: "42" });
    });
    const created = await fetch(`${server.url}/assistants`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ graph_id: "chat", context: { tools: [], response_shape: { type: "object", properties: { answer: { type: "string" } }, required: ["answer"] } } }),
    });
    const { assistant_id } = (await created.json()) as { assistant_id: string };
    const before = provider.requests.length;
    await using client = await TestWsClient.connect(server.wsUrl);
    const threadId = await openThread(client, assistant_id);
    const { final } = await chat(client, threadId, "What is 6*7?");
    expect(final.event, JSON.stringify(final.data)).toBe("run.completed");
    expect(final.data).toMatchObject({ structured_response: { answer: "42" } });
    const shaped = provider.requests.slice(before).find((request) => request.body.stream !== true);
    const messages = (shaped?.body.messages ?? []) as SentMessage[];
    expect(messages.map((message) => message.role)).toEqual(["user", "assistant", "user"]);
    expect(messages.at(-1)?.content).toBe(SHAPED_ANSWER_REQUEST);
  });

  it("words Anthropic's errors by their message, not the JSON envelope, and names ANTHROPIC_BASE_URL", async () => {
    provider.handle((_request, response, index) => {
      if (index % 2 === 0) {
        response.writeHead(401, { "content-type": "application/json" }).end(JSON.stringify({ type: "error", error: { type: "authentication_error", message: "invalid x-api-key" } }));
        return;
      }
      writeAnthropicStream(response, { errorAfterStart: "invalid_request_error" });
    });
    await using client = await TestWsClient.connect(server.wsUrl);
    const threadId = await openThread(client);
    const rejected = (await chat(client, threadId, "hello")).final;
    expect(rejected.event).toBe("run.failed");
    expect((rejected.data as { message: string }).message).toBe("anthropic:claude-test: 401 authentication_error: invalid x-api-key");
    const midStream = (await chat(client, threadId, "hello again")).final;
    expect((midStream.data as { message: string }).message).toBe("anthropic:claude-test: invalid_request_error: Overloaded");

    const closed = await startRecordingServer();
    const url = closed.url;
    await closed[Symbol.asyncDispose]();
    await using unreachable = await startTestServer({ databaseUrl: database.url, env: { MODEL: "anthropic:claude-test", ANTHROPIC_BASE_URL: url, ANTHROPIC_API_KEY: "sk-ant-test-000000000000", MODEL_MAX_RETRIES: 0 } });
    await using other = await TestWsClient.connect(unreachable.wsUrl);
    const failed = (await chat(other, await openThread(other), "anyone there?")).final;
    expect((failed.data as { message: string }).message).toMatch(/could not connect to the provider \(ECONNREFUSED; check ANTHROPIC_BASE_URL or the assistant's base_url\)/);
  });

  it("refuses a temperature above Anthropic's 1 when the assistant is saved, not at every run", async () => {
    const save = (context: Record<string, unknown>) =>
      fetch(`${server.url}/assistants`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ graph_id: "chat", context }) });
    const hot = await save({ temperature: 1.7 });
    expect(hot.status).toBe(400);
    expect(((await hot.json()) as { message: string }).message).toMatch(/"anthropic:claude-test" \(the server's MODEL\) takes a temperature from 0 to 1, not 1\.7/);
    const named = await save({ model: "anthropic:claude-haiku-4-5", temperature: 1.2 });
    expect(named.status).toBe(400);
    expect((await save({ model: "anthropic:claude-haiku-4-5", temperature: 0.7 })).status).toBeLessThan(300);
  });

  it("marks a failed tool's result is_error, in the one user turn that answers the reply's calls", async () => {
    provider.handle((request, response) => {
      const messages = request.body.messages as SentMessage[];
      if (JSON.stringify(messages.at(-1)?.content ?? "").includes("tool_result")) return writeAnthropicStream(response, { text: ["One of them failed."] });
      return writeAnthropicStream(response, {
        toolUses: [
          { id: "toolu_ok", name: "calculator", inputPieces: ['{"expression": "2+2"}'] },
          { id: "toolu_bad", name: "calculator", inputPieces: ['{"expression": "2+"}'] },
        ],
      });
    });
    const before = provider.requests.length;
    await using client = await TestWsClient.connect(server.wsUrl);
    const { final } = await chat(client, await openThread(client), "Two sums");
    expect(final.event, JSON.stringify(final.data)).toBe("run.completed");
    const answered = sentMessages(provider.requests.length - 1);
    expect(provider.requests.length - before).toBe(2);
    const last = answered.at(-1) as { role: string; content: { type: string; tool_use_id: string; is_error?: boolean }[] };
    expect(answered.at(-2)?.role).toBe("assistant");
    expect(last.role).toBe("user");
    expect(last.content.map((block) => [block.type, block.tool_use_id, block.is_error ?? false])).toEqual([
      ["tool_result", "toolu_ok", false],
      ["tool_result", "toolu_bad", true],
    ]);
  });

  it("retries an overload Claude reports mid-stream before any output, as it retries a 529; not other errors", async () => {
    await using retrying = await startTestServer({ databaseUrl: database.url, env: { MODEL: "anthropic:claude-test", ANTHROPIC_BASE_URL: provider.url, ANTHROPIC_API_KEY: "sk-ant-test-000000000000", MODEL_MAX_RETRIES: 2 } });
    await using client = await TestWsClient.connect(retrying.wsUrl);
    const threadId = await openThread(client);
    let overloaded = 0;
    provider.handle((_request, response) => {
      if (overloaded++ === 0) return writeAnthropicStream(response, { errorAfterStart: "overloaded_error" });
      return writeAnthropicStream(response, { text: ["Recovered."] });
    });
    const before = provider.requests.length;
    const { runId, final } = await chat(client, threadId, "Busy day?");
    expect(final.event, JSON.stringify(final.data)).toBe("run.completed");
    expect(provider.requests.length - before).toBe(2);
    const completed = client.events(threadId).filter((frame) => frame.run_id === runId && frame.event === "message.completed").map((frame) => (frame.data as { message: { content: string } }).message.content);
    expect(completed.at(-1)).toBe("Recovered.");

    provider.handle((_request, response) => writeAnthropicStream(response, { errorAfterStart: "invalid_request_error" }));
    const refusedFrom = provider.requests.length;
    expect((await chat(client, threadId, "Again?")).final.event).toBe("run.failed");
    expect(provider.requests.length - refusedFrom).toBe(1);
  });
});
