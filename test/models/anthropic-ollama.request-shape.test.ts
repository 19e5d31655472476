import type { ServerResponse } from "node:http";
import { HumanMessage, SystemMessage } from "@langchain/core/messages";
import { afterEach, describe, expect, it } from "vitest";
import { createChatModel, validateModelSpec } from "../../src/models/create-chat-model.js";
import type { ModelSettings } from "../../src/models/model-settings.js";
import { writeAnthropicStream } from "./anthropic-stream.js";
import { type RecordingServer, startRecordingServer } from "./recording-server.js";

const CALCULATOR = {
  type: "function" as const,
  function: { name: "calculator", description: "Evaluate a math expression", parameters: { type: "object", properties: { expression: { type: "string" } }, required: ["expression"] } },
};

let server: RecordingServer | undefined;
afterEach(async () => {
  await server?.[Symbol.asyncDispose]();
  server = undefined;
});

describe("Anthropic", () => {
  it("needs ANTHROPIC_API_KEY, and says so", () => {
    expect(() => validateModelSpec("anthropic:claude-haiku-4-5", { fakeChunkDelayMs: 0 })).toThrow(/needs ANTHROPIC_API_KEY/);
  });

  it("streams from the Messages API with the system prompt, tools and max_tokens it requires", async () => {
    server = await startRecordingServer((_request, response) => writeAnthropicStream(response, { text: ["Bonjour", " !"] }));
    const settings: ModelSettings = { anthropicApiKey: "sk-ant-test-000000000000", anthropicBaseUrl: server.url, fakeChunkDelayMs: 0, maxRetries: 0 };
    const model = await createChatModel("anthropic:claude-test", settings, { temperature: 0.2 });
    const bound = model.bindTools?.([CALCULATOR]);
    if (!bound) throw new Error("bindTools missing");
    const chunks: string[] = [];
    for await (const chunk of await bound.stream([new SystemMessage("Answer in French."), new HumanMessage("Hello")])) if (chunk.text) chunks.push(chunk.text);
    expect(chunks.join("")).toBe("Bonjour !");

    const request = server.requests[0];
    expect(request?.path).toBe("/v1/messages");
    expect(request?.headers["x-api-key"]).toBe("sk-ant-test-000000000000");
    expect(request?.headers["anthropic-version"]).toBeTruthy();
    expect(request?.body).toMatchObject({
      model: "claude-test",
      stream: true,
      max_tokens: 4096,
      temperature: 0.2,
      system: "Answer in French.",
      messages: [{ role: "user", content: "Hello" }],
      tools: [{ name: "calculator", description: "Evaluate a math expression", input_schema: CALCULATOR.function.parameters }],
    });
  });

  it("counts the output tokens message_delta reports, not message_start's early count on top of them", async () => {
    // message_start says output_tokens 1; message_delta's 17 is the reply's cumulative count, that 1 included.
    server = await startRecordingServer((_request, response) => writeAnthropicStream(response, { text: ["Bonjour", " !"], outputTokens: 17 }));
    const settings: ModelSettings = { anthropicApiKey: "sk-ant-test-000000000000", anthropicBaseUrl: server.url, fakeChunkDelayMs: 0, maxRetries: 0 };
    const model = await createChatModel("anthropic:claude-test", settings);
    const bound = model.bindTools?.([CALCULATOR]);
    if (!bound) throw new Error("bindTools missing");
    // What a run records is its replies' usage: the chat graph's call (tools bound) and a plain one.
    for (const reply of [await bound.invoke([new HumanMessage("Hello")]), await model.invoke([new HumanMessage("Hello")])]) {
      expect(reply.text).toBe("Bonjour !");
      expect(reply.usage_metadata).toMatchObject({ input_tokens: 12, output_tokens: 17, total_tokens: 29 });
    }
  });
});

describe("Anthropic keys", () => {
  it("go to ANTHROPIC_BASE_URL named with a trailing slash (the same endpoint), never to an assistant's other endpoint", async () => {
    server = await startRecordingServer((_request, response) => writeAnthropicStream(response, { text: ["ok"] }));
    const settings: ModelSettings = { anthropicApiKey: "sk-ant-test-000000000000", anthropicBaseUrl: server.url, fakeChunkDelayMs: 0, maxRetries: 0 };
    await (await createChatModel("anthropic:claude-test", settings, { baseUrl: `${server.url}/` })).invoke([new HumanMessage("hi")]);
    expect(server.requests[0]?.headers["x-api-key"]).toBe("sk-ant-test-000000000000");
    await (await createChatModel("anthropic:claude-test", { ...settings, anthropicBaseUrl: "https://api.anthropic.com" }, { baseUrl: server.url })).invoke([new HumanMessage("hi")]);
    expect(server.requests[1]?.headers["x-api-key"]).not.toBe("sk-ant-test-000000000000");
  });
});

describe("Ollama", () => {
  it("needs no key and streams NDJSON from /api/chat with the options it maps", async () => {
    server = await startRecordingServer((_request, response) => writeOllamaStream(response, ["Hi", " there"]));
    const settings: ModelSettings = { ollamaBaseUrl: server.url, fakeChunkDelayMs: 0 };
    expect(validateModelSpec("ollama:qwen2.5:7b", settings)).toEqual({ provider: "ollama", model: "qwen2.5:7b" });
    const model = await createChatModel("ollama:qwen2.5:7b", settings, { temperature: 0, maxTokens: 64, seed: 7 });
    const bound = model.bindTools?.([CALCULATOR]);
    if (!bound) throw new Error("bindTools missing");
    const reply = await bound.invoke([new HumanMessage("Hello")]);
    expect(reply.text).toBe("Hi there");
    expect(reply.usage_metadata).toMatchObject({ input_tokens: 11, output_tokens: 2 });

    const request = server.requests[0];
    expect(request?.path).toBe("/api/chat");
    expect(request?.body).toMatchObject({
      model: "qwen2.5:7b",
      stream: true,
      messages: [{ role: "user", content: "Hello" }],
      options: { temperature: 0, num_predict: 64, seed: 7 },
      tools: [{ type: "function", function: { name: "calculator" } }],
    });
  });

  it("cancelling one call ends only that call's request, at once, even while the model is silent", async () => {
    let closed = 0;
    server = await startRecordingServer(async (request, response) => {
      response.on("close", () => (closed += 1));
      response.writeHead(200, { "content-type": "application/x-ndjson" });
      const content = (request.body.messages as { content: string }[])[0]?.content ?? "";
      const line = (text: string, done = false) => `${JSON.stringify({ model: "llama3.2", created_at: new Date().toISOString(), message: { role: "assistant", content: text }, done, ...(done ? { done_reason: "stop", prompt_eval_count: 3, eval_count: 5 } : {}) })}\n`;
      // "silent": one chunk, then nothing until the client goes away.
      const pieces = content === "silent" ? 1 : 5;
      for (let index = 0; index < pieces && !response.destroyed; index += 1) {
        response.write(line(`${content}${index} `));
        await new Promise((resolve) => setTimeout(resolve, 60));
      }
      if (content !== "silent" && !response.destroyed) response.end(line("", true));
    });
    // One model object, as the server shares it between every run with the same settings.
    const model = await createChatModel("ollama:llama3.2", { ollamaBaseUrl: server.url, fakeChunkDelayMs: 0 }, {});
    const controller = new AbortController();
    const streamed = async (prompt: string, signal?: AbortSignal) => {
      let text = "";
      for await (const chunk of await model.stream([new HumanMessage(prompt)], { signal })) text += chunk.text;
      return { text };
    };
    // "slow" (not streamed: a summary's or a structured answer's call) receives a chunk after the cancel, and
    // LangChain's ChatOllama then aborts its client's every stream.
    const cancelled = [model.invoke([new HumanMessage("slow")], { signal: controller.signal }), streamed("silent", controller.signal)];
    const other = streamed("other");
    await new Promise((resolve) => setTimeout(resolve, 100));
    controller.abort(new Error("cancelled by the user"));
    for (const call of cancelled) await expect(call).rejects.toThrow();
    expect((await other).text).toBe("other0 other1 other2 other3 other4 ");
    await new Promise((resolve) => setTimeout(resolve, 200));
    // The silent request was closed by the cancel too, not left open for the model to keep generating.
    expect(closed).toBe(3);
  });

  it("says it could not reach the Ollama server, and why, when nothing listens there (not a bare 'fetch failed')", async () => {
    // A port that was just free: nothing listens there.
    const closed = await startRecordingServer(() => undefined);
    const url = closed.url;
    await closed[Symbol.asyncDispose]();
    const model = await createChatModel("ollama:llama3.2", { ollamaBaseUrl: url, fakeChunkDelayMs: 0, maxRetries: 0 }, {});
    const failure = (await model.invoke([new HumanMessage("hi")]).then(() => undefined, (error: unknown) => error)) as Error | undefined;
    expect(failure).toBeInstanceOf(Error);
    expect(failure?.message).toContain("could not reach the Ollama server (OLLAMA_BASE_URL, or the assistant's base_url): ECONNREFUSED");
    expect(failure?.message).not.toContain(new URL(url).host);
  });

  it("words an error answered the OpenAI way ({error: {message}}) by its message, not as [object Object]", async () => {
    server = await startRecordingServer((_request, response) => {
      response.writeHead(500, { "content-type": "application/json" }).end(JSON.stringify({ error: { message: "the GPU fell over", type: "server_error" } }));
    });
    const model = await createChatModel("ollama:llama3.2", { ollamaBaseUrl: server.url, fakeChunkDelayMs: 0, maxRetries: 0 }, {});
    const failure = (await model.invoke([new HumanMessage("hi")]).then(() => undefined, (error: unknown) => error)) as Error | undefined;
    expect(failure?.message).toContain("the GPU fell over");
    expect(failure?.message).not.toContain("[object Object]");
  });

  it("uses the assistant's base_url over OLLAMA_BASE_URL", async () => {
    server = await startRecordingServer((_request, response) => writeOllamaStream(response, ["ok"]));
    const model = await createChatModel("ollama:llama3.2", { ollamaBaseUrl: "http://127.0.0.1:9", fakeChunkDelayMs: 0 }, { baseUrl: server.url });
    expect((await model.invoke([new HumanMessage("x")])).text).toBe("ok");
    expect(server.requests).toHaveLength(1);
  });
});

function writeOllamaStream(response: ServerResponse, pieces: string[]): void {
  response.writeHead(200, { "content-type": "application/x-ndjson" });
  const createdAt = new Date().toISOString();
  for (const content of pieces) response.write(`${JSON.stringify({ model: "qwen2.5:7b", created_at: createdAt, message: { role: "assistant", content }, done: false })}\n`);
  response.end(
    `${JSON.stringify({ model: "qwen2.5:7b", created_at: createdAt, message: { role: "assistant", content: "" }, done: true, done_reason: "stop", total_duration: 1, prompt_eval_count: 11, eval_count: 2 })}\n`,
  );
}
