import { AIMessage, HumanMessage, ToolMessage } from "@langchain/core/messages";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createChatModel } from "../../src/models/create-chat-model.js";
import type { ModelSettings } from "../../src/models/model-settings.js";
import { writeChatCompletionStream } from "./chat-completions-stream.js";
import { type RecordingServer, sendError, startRecordingServer } from "./recording-server.js";

const API_KEY = "sk-test-0123456789abcdefghijklmnop";
const CALCULATOR = {
  type: "function" as const,
  function: {
    name: "calculator",
    description: "Evaluate a math expression exactly",
    parameters: { type: "object", properties: { expression: { type: "string" } }, required: ["expression"] },
  },
};

let server: RecordingServer | undefined;
afterEach(async () => {
  await server?.[Symbol.asyncDispose]();
  server = undefined;
});

function settingsFor(target: RecordingServer, extra: Partial<ModelSettings> = {}): ModelSettings {
  return { openAiApiKey: API_KEY, openAiBaseUrl: `${target.url}/v1`, fakeChunkDelayMs: 0, maxRetries: 2, timeoutMs: 5_000, ...extra };
}

describe("OpenAI-compatible provider against a chat-completions server", () => {
  it("streams a full turn with a tool call, then the answer, and sends what the API expects", async () => {
    server = await startRecordingServer(async (request, response, index) => {
      if (index === 0) {
        await writeChatCompletionStream(response, {
          model: "gpt-test-2024",
          toolCalls: [{ id: "call_abc", name: "calculator", arguments: '{"expression":"12 * (3 + 4)"}' }],
          usage: { prompt_tokens: 42, completion_tokens: 9 },
        });
      } else {
        await writeChatCompletionStream(response, { model: "gpt-test-2024", text: ["12 * (3 + 4) ", "is ", "84."], usage: { prompt_tokens: 60, completion_tokens: 7 } });
      }
    });
    const model = await createChatModel("openai:gpt-test", settingsFor(server), { temperature: 0, maxTokens: 300 });
    const bound = model.bindTools?.([CALCULATOR]);
    if (!bound) throw new Error("bindTools missing");

    const question = new HumanMessage("What is 12 * (3 + 4)?");
    const call = await bound.invoke([question]);
    expect(call.tool_calls).toEqual([{ id: "call_abc", name: "calculator", args: { expression: "12 * (3 + 4)" }, type: "tool_call" }]);
    expect(call.usage_metadata).toMatchObject({ input_tokens: 42, output_tokens: 9 });
    expect(call.response_metadata.model_name).toBe("gpt-test-2024");

    const first = server.requests[0];
    expect(first?.path).toBe("/v1/chat/completions");
    expect(first?.headers.authorization).toBe(`Bearer ${API_KEY}`);
    expect(first?.body).toMatchObject({
      model: "gpt-test",
      stream: true,
      stream_options: { include_usage: true },
      temperature: 0,
      messages: [{ role: "user", content: "What is 12 * (3 + 4)?" }],
      tools: [{ type: "function", function: { name: "calculator", description: "Evaluate a math expression exactly", parameters: CALCULATOR.function.parameters } }],
    });
    expect(JSON.stringify(first?.body)).toMatch(/"max_(completion_)?tokens":300/);

    const chunks: string[] = [];
    const ids = new Set<string | undefined>();
    const result = new ToolMessage({ content: "84", tool_call_id: "call_abc", name: "calculator" });
    for await (const chunk of await bound.stream([question, new AIMessage({ content: "", tool_calls: call.tool_calls }), result])) {
      if (chunk.text) chunks.push(chunk.text);
      ids.add(chunk.id);
    }
    expect(chunks.join("")).toBe("12 * (3 + 4) is 84.");
    expect(chunks.length).toBeGreaterThanOrEqual(2);
    expect(ids.size).toBe(1);
    const second = server.requests[1]?.body as { messages: Record<string, unknown>[] };
    expect(second.messages).toEqual([
      { role: "user", content: "What is 12 * (3 + 4)?" },
      expect.objectContaining({ role: "assistant", tool_calls: [{ id: "call_abc", type: "function", function: { name: "calculator", arguments: '{"expression":"12 * (3 + 4)"}' } }] }),
      expect.objectContaining({ role: "tool", tool_call_id: "call_abc", content: "84" }),
    ]);
  });

  it("waits out a 429's Retry-After, then succeeds", async () => {
    server = await startRecordingServer(async (_request, response, index) => {
      if (index === 0) sendError(response, { status: 429, message: "Rate limit reached for requests", headers: { "retry-after": "3" } });
      else await writeChatCompletionStream(response, { model: "gpt-test", text: ["after ", "the wait"] });
    });
    const model = await createChatModel("openai:gpt-test", settingsFor(server));
    const reply = await model.invoke([new HumanMessage("hi")]);
    expect(reply.text).toBe("after the wait");
    expect(server.requests).toHaveLength(2);
    const waited = (server.requests[1]?.at ?? 0) - (server.requests[0]?.at ?? 0);
    // Backoff alone would be 1–2 s; Retry-After: 3 makes it at least 3 s.
    expect(waited).toBeGreaterThanOrEqual(2_950);
  });

  it("retries a 500 with backoff, then succeeds", async () => {
    server = await startRecordingServer(async (_request, response, index) => {
      if (index === 0) sendError(response, { status: 500, message: "The server had an error while processing your request" });
      else await writeChatCompletionStream(response, { model: "gpt-test", text: ["recovered"] });
    });
    const model = await createChatModel("openai:gpt-test", settingsFor(server));
    const reply = await model.invoke([new HumanMessage("hi")]);
    expect(reply.text).toBe("recovered");
    expect(server.requests).toHaveLength(2);
    expect((server.requests[1]?.at ?? 0) - (server.requests[0]?.at ?? 0)).toBeGreaterThanOrEqual(900);
  });

  it("gives up on a silent server after the timeout, with a model failure that says so", async () => {
    server = await startRecordingServer(() => {
      // Never answers.
    });
    const model = await createChatModel("openai:gpt-test", settingsFor(server, { maxRetries: 0 }), { timeoutMs: 400 });
    const started = performance.now();
    await expect(model.invoke([new HumanMessage("hi")])).rejects.toThrow(/openai:gpt-test: no response within 400 ms/);
    expect(performance.now() - started).toBeLessThan(3_000);
  });

  it("times out a stream that stalls between chunks", async () => {
    server = await startRecordingServer(async (_request, response) => {
      response.writeHead(200, { "content-type": "text/event-stream" });
      response.write(`data: ${JSON.stringify({ id: "c1", object: "chat.completion.chunk", created: 1, model: "gpt-test", choices: [{ index: 0, delta: { role: "assistant", content: "Hel" }, finish_reason: null }] })}\n\n`);
      // …and then nothing.
      await new Promise((resolve) => setTimeout(resolve, 5_000));
    });
    const model = await createChatModel("openai:gpt-test", settingsFor(server, { maxRetries: 0 }), { timeoutMs: 400 });
    // It had answered: the failure says it stalled, not that nothing came.
    await expect(model.invoke([new HumanMessage("hi")])).rejects.toThrow(/stopped sending mid-reply: nothing for 400 ms/);
  });

  it("finishes a call at its usage chunk, however long the provider then takes to send [DONE]", async () => {
    let doneSent = false;
    server = await startRecordingServer(async (_request, response) => {
      response.writeHead(200, { "content-type": "text/event-stream" });
      const chunk = (choices: unknown[], extra: Record<string, unknown> = {}) =>
        response.write(`data: ${JSON.stringify({ id: "c1", object: "chat.completion.chunk", created: 1, model: "gpt-test", choices, ...extra })}\n\n`);
      chunk([{ index: 0, delta: { role: "assistant", content: "All " }, finish_reason: null }]);
      chunk([{ index: 0, delta: { content: "done." }, finish_reason: null }]);
      chunk([{ index: 0, delta: {}, finish_reason: "stop" }]);
      chunk([], { usage: { prompt_tokens: 9, completion_tokens: 2, total_tokens: 11 } });
      // Longer than the call's 400 ms timeout, before [DONE].
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      doneSent = true;
      if (!response.destroyed) response.end("data: [DONE]\n\n");
    });
    const model = await createChatModel("openai:gpt-test", settingsFor(server, { maxRetries: 0 }), { timeoutMs: 400 });
    const reply = await model.invoke([new HumanMessage("hi")]);
    expect(reply.text).toBe("All done.");
    expect(reply.usage_metadata).toMatchObject({ input_tokens: 9, output_tokens: 2 });
    // Finished at the usage chunk, not after the pause.
    expect(doneSent).toBe(false);
  });

  it("keeps a whole answer from a server that sends no usage chunk and then holds the stream open (it ended as a timeout)", async () => {
    server = await startRecordingServer(async (_request, response) => {
      response.writeHead(200, { "content-type": "text/event-stream" });
      const chunk = (choices: unknown[]) => response.write(`data: ${JSON.stringify({ id: "c1", object: "chat.completion.chunk", created: 1, model: "gpt-test", choices })}\n\n`);
      chunk([{ index: 0, delta: { role: "assistant", content: "Whole " }, finish_reason: null }]);
      chunk([{ index: 0, delta: { content: "answer." }, finish_reason: null }]);
      chunk([{ index: 0, delta: {}, finish_reason: "stop" }]);
      // No usage chunk, no [DONE], and the connection stays open well past the call's 400 ms timeout.
      await new Promise((resolve) => setTimeout(resolve, 3_000));
      if (!response.destroyed) response.end();
    });
    const model = await createChatModel("openai:gpt-test", settingsFor(server, { maxRetries: 0 }), { timeoutMs: 400 });
    const started = Date.now();
    const reply = await model.invoke([new HumanMessage("hi")]);
    expect(reply.text).toBe("Whole answer.");
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it("counts usage sent on the last content chunk once (DeepSeek, llama.cpp), in usage_metadata and response_metadata alike", async () => {
    server = await startRecordingServer((_request, response) => {
      response.writeHead(200, { "content-type": "text/event-stream" });
      const chunk = (choices: unknown[], extra: Record<string, unknown> = {}) =>
        response.write(`data: ${JSON.stringify({ id: "c1", object: "chat.completion.chunk", created: 1, model: "deepseek-chat", choices, ...extra })}\n\n`);
      chunk([{ index: 0, delta: { role: "assistant", content: "Counted " }, finish_reason: null }]);
      chunk([{ index: 0, delta: { content: "once." }, finish_reason: "stop" }], { usage: { prompt_tokens: 17, completion_tokens: 9, total_tokens: 26 } });
      response.end("data: [DONE]\n\n");
    });
    const model = await createChatModel("openai:deepseek-chat", settingsFor(server, { maxRetries: 0 }));
    const reply = await model.invoke([new HumanMessage("hi")]);
    expect(reply.text).toBe("Counted once.");
    expect(reply.usage_metadata).toMatchObject({ input_tokens: 17, output_tokens: 9 });
    expect((reply.response_metadata as { usage?: unknown }).usage).toMatchObject({ prompt_tokens: 17, completion_tokens: 9 });
  });

  it("falls back to the next model when the first keeps failing", async () => {
    server = await startRecordingServer(async (request, response) => {
      if (request.body.model === "broken-model") sendError(response, { status: 503, message: "overloaded" });
      else await writeChatCompletionStream(response, { model: "backup-model", text: ["from ", "the backup"], usage: { prompt_tokens: 5, completion_tokens: 3 } });
    });
    const model = await createChatModel("openai:broken-model", settingsFor(server, { maxRetries: 1, fallbacks: ["openai:backup-model"] }));
    const reply = await model.invoke([new HumanMessage("hi")]);
    expect(reply.text).toBe("from the backup");
    expect(reply.response_metadata.model_name).toBe("backup-model");
    expect(server.requests.map((request) => request.body.model)).toEqual(["broken-model", "broken-model", "backup-model"]);
  });

  it("falls back when a model stalls after its opening role chunk: nothing was shown yet", async () => {
    server = await startRecordingServer(async (request, response) => {
      if (request.body.model === "stalls") {
        response.writeHead(200, { "content-type": "text/event-stream" });
        response.write(`data: ${JSON.stringify({ id: "c1", object: "chat.completion.chunk", created: 1, model: "stalls", choices: [{ index: 0, delta: { role: "assistant", content: "" }, finish_reason: null }] })}\n\n`);
        await new Promise((resolve) => setTimeout(resolve, 3_000));
        response.end();
      } else await writeChatCompletionStream(response, { model: "backup-model", text: ["from ", "the backup"] });
    });
    const model = await createChatModel("openai:stalls", settingsFor(server, { maxRetries: 0, fallbacks: ["openai:backup-model"] }), { timeoutMs: 400 });
    const texts: string[] = [];
    const ids = new Set<string | undefined>();
    for await (const chunk of await model.stream([new HumanMessage("hi")])) {
      texts.push(chunk.text);
      ids.add(chunk.id);
    }
    expect(texts.join("")).toBe("from the backup");
    expect(ids.size).toBe(1);
    expect(server.requests.map((request) => request.body.model)).toEqual(["stalls", "backup-model"]);
  });

  it("treats a 200 that is not a chat-completions stream (a web page, an empty stream) as a failure to fall back from", async () => {
    server = await startRecordingServer(async (request, response) => {
      if (request.body.model === "html") response.writeHead(200, { "content-type": "text/html" }).end("<html><body>Welcome to nginx!</body></html>");
      else if (request.body.model === "done-only") response.writeHead(200, { "content-type": "text/event-stream" }).end("data: [DONE]\n\n");
      else await writeChatCompletionStream(response, { model: "backup-model", text: ["backup"] });
    });
    for (const broken of ["html", "done-only"]) {
      const alone = await createChatModel(`openai:${broken}`, settingsFor(server, { maxRetries: 0 }));
      await expect(alone.invoke([new HumanMessage("hi")]), broken).rejects.toThrow(/without any chat-completion chunk \(is base_url the model API\?\)/);
      const chained = await createChatModel(`openai:${broken}`, settingsFor(server, { maxRetries: 0, fallbacks: ["openai:backup-model"] }));
      expect((await chained.invoke([new HumanMessage("hi")])).text, broken).toBe("backup");
    }
  });

  it("sends the assistant's seed in the request body", async () => {
    server = await startRecordingServer((_request, response) => writeChatCompletionStream(response, { model: "gpt-test", text: ["ok"] }));
    const model = await createChatModel("openai:gpt-test", settingsFor(server), { seed: 7, temperature: 0.3 });
    await model.invoke([new HumanMessage("hi")]);
    expect(server.requests[0]?.body).toMatchObject({ seed: 7, temperature: 0.3 });
  });

  it("sends a reasoning model no temperature unless one was set, and refuses one it would reject", async () => {
    server = await startRecordingServer((request, response) => writeChatCompletionStream(response, { model: String(request.body.model), text: ["ok"] }));
    const reasoning = await createChatModel("openai:o3-mini", settingsFor(server));
    expect((await reasoning.invoke([new HumanMessage("hi")])).text).toBe("ok");
    expect(server.requests[0]?.body).not.toHaveProperty("temperature");
    // OpenAI would answer every call with a 400; the model is refused where it is built, saying what to change.
    await expect(createChatModel("openai:o3-mini", settingsFor(server), { temperature: 0 })).rejects.toThrow(
      expect.objectContaining({ code: "invalid_request", message: expect.stringMatching(/openai:o3-mini.*takes no temperature but its default \(1\), not 0/) as string }) as Error,
    );
    const exactlyOne = await createChatModel("openai:o3-mini", settingsFor(server), { temperature: 1 });
    await exactlyOne.invoke([new HumanMessage("hi")]);
    expect(server.requests[1]?.body).toMatchObject({ temperature: 1 });
  });

  it("does not pass the assistant's temperature on to a fallback that takes none", async () => {
    server = await startRecordingServer(async (request, response) => {
      if (request.body.model === "gpt-broken") sendError(response, { status: 503, message: "overloaded" });
      else await writeChatCompletionStream(response, { model: String(request.body.model), text: ["from o4-mini"] });
    });
    const model = await createChatModel("openai:gpt-broken", settingsFor(server, { maxRetries: 0, fallbacks: ["openai:o4-mini"] }), { temperature: 0.2 });
    expect((await model.invoke([new HumanMessage("hi")])).text).toBe("from o4-mini");
    expect(server.requests.map((request) => [request.body.model, request.body.temperature])).toEqual([["gpt-broken", 0.2], ["o4-mini", undefined]]);
  });

  it("gives each attempt the whole timeout: the wait before a retry is not silence, and the attempt's error is reported", async () => {
    server = await startRecordingServer((_request, response) => sendError(response, { status: 500, message: "internal boom" }));
    // Backoff before the retry is 1–2 s, well past the 400 ms timeout: the wait must not count as silence.
    const model = await createChatModel("openai:gpt-test", settingsFor(server, { maxRetries: 1 }), { timeoutMs: 400 });
    await expect(model.invoke([new HumanMessage("hi")])).rejects.toThrow(/openai:gpt-test: 500 internal boom/);
    expect(server.requests).toHaveLength(2);
  });

  it("keeps the SDK from printing a provider's unparsable stream line (which may echo a key) to the console", async () => {
    server = await startRecordingServer((_request, response) => {
      response.writeHead(200, { "content-type": "text/event-stream" });
      response.end(`data: {oops Bearer ${API_KEY}\n\n`);
    });
    const printed = vi.spyOn(console, "error").mockImplementation(() => undefined);
    try {
      const model = await createChatModel("openai:gpt-test", settingsFor(server, { maxRetries: 0 }));
      const failure = await model.invoke([new HumanMessage("hi")]).catch((error: unknown) => error as Error);
      expect(failure).toBeInstanceOf(Error);
      expect((failure as Error).message).not.toContain(API_KEY);
      expect(printed).not.toHaveBeenCalled();
    } finally {
      printed.mockRestore();
    }
  });

  it("sends a model named like a Responses-only one (codex) to chat completions on a custom endpoint", async () => {
    server = await startRecordingServer(async (request, response) => {
      if (request.body.stream) return writeChatCompletionStream(response, { model: "my-codex-model", text: ["print(", "42)"] });
      response.writeHead(200, { "content-type": "application/json" });
      response.end(JSON.stringify({
        id: "chatcmpl-shaped", object: "chat.completion", created: 1, model: "my-codex-model",
        choices: [{ index: 0, message: { role: "assistant", content: '{"code":"print(42)"}' }, finish_reason: "stop", logprobs: null }],
      }));
    });
    // An assistant's base_url, and the operator's OPENAI_BASE_URL: neither is OpenAI, neither has /v1/responses.
    const own = await createChatModel("openai:my-codex-model", settingsFor(server, { openAiBaseUrl: undefined, openAiApiKey: undefined }), { baseUrl: `${server.url}/v1` });
    const operator = await createChatModel("openai:my-codex-model", settingsFor(server));
    for (const model of [own, operator]) expect((await model.invoke([new HumanMessage("write code")])).text).toBe("print(42)");
    // The structured answer's call takes the same way (LangChain rebuilds the model for it).
    const structured = operator.withStructuredOutput({ type: "object", properties: { code: { type: "string" } }, required: ["code"] });
    expect(await structured.invoke([new HumanMessage("write code")])).toEqual({ code: "print(42)" });
    expect(server.requests.map((request) => request.path)).toEqual(["/v1/chat/completions", "/v1/chat/completions", "/v1/chat/completions"]);
  });

  it("words failures a user can act on: a server not reachable, a base_url without the API's root, a slow or malformed shaped answer", async () => {
    // Nothing listens on a port that was just free: the reason, not a bare "Connection error.".
    const closed = await startRecordingServer(() => undefined);
    const closedUrl = closed.url;
    await closed[Symbol.asyncDispose]();
    const unreachable = await createChatModel("openai:gpt-test", { fakeChunkDelayMs: 0, maxRetries: 0, timeoutMs: 5_000 }, { baseUrl: `${closedUrl}/v1` });
    await expect(unreachable.invoke([new HumanMessage("hi")])).rejects.toThrow(/could not connect to the provider \(ECONNREFUSED; check OPENAI_BASE_URL or the assistant's base_url\)/);

    server = await startRecordingServer(async (request, response) => {
      if (request.path !== "/v1/chat/completions") return void response.writeHead(404, { "content-type": "text/plain" }).end("404 page not found");
      const shape = request.body.model as string;
      if (shape === "slow") await new Promise((resolve) => setTimeout(resolve, 1_500));
      response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({
        id: "c1", object: "chat.completion", created: 1, model: shape,
        choices: [{ index: 0, message: { role: "assistant", content: shape === "slow" ? '{"code":"late"}' : "Sure! Here is the code." }, finish_reason: "stop", logprobs: null }],
      }));
    });
    const missingRoot = await createChatModel("openai:gpt-test", settingsFor(server, { maxRetries: 0 }), { baseUrl: server.url });
    await expect(missingRoot.invoke([new HumanMessage("hi")])).rejects.toThrow(/404 page not found: no such endpoint \(an OpenAI-compatible base_url ends at the API's root, usually …\/v1/);
    const schema = { type: "object", properties: { code: { type: "string" } }, required: ["code"] };
    const slow = (await createChatModel("openai:slow", settingsFor(server, { maxRetries: 0 }), { timeoutMs: 500 })).withStructuredOutput(schema);
    await expect(slow.invoke([new HumanMessage("write code")])).rejects.toThrow(/no response within 500 ms \(MODEL_TIMEOUT_MS \/ timeout_ms; a shaped answer is not streamed/);
    const prose = (await createChatModel("openai:prose", settingsFor(server, { maxRetries: 0 }))).withStructuredOutput(schema);
    await expect(prose.invoke([new HumanMessage("write code")])).rejects.toThrow(/the model's answer is not the JSON the response_shape asks for/);
  });

  it("never sends the server's key to an endpoint an assistant chose", async () => {
    server = await startRecordingServer((_request, response) => writeChatCompletionStream(response, { model: "vllm-model", text: ["ok"] }));
    const settings = { ...settingsFor(server), openAiBaseUrl: "https://api.openai.com/v1" };
    const model = await createChatModel("openai:vllm-model", settings, { baseUrl: `${server.url}/v1` });
    expect((await model.invoke([new HumanMessage("hi")])).text).toBe("ok");
    expect(server.requests[0]?.headers.authorization).toBe("Bearer not-needed");
  });

  it("sends the key to the operator's endpoint named with a trailing slash (the same endpoint)", async () => {
    server = await startRecordingServer((_request, response) => writeChatCompletionStream(response, { model: "gpt-test", text: ["ok"] }));
    const model = await createChatModel("openai:gpt-test", settingsFor(server), { baseUrl: `${settingsFor(server).openAiBaseUrl ?? ""}/` });
    expect((await model.invoke([new HumanMessage("hi")])).text).toBe("ok");
    expect(server.requests[0]?.headers.authorization).toBe(`Bearer ${API_KEY}`);
  });

  it("does not retry a rejected key, and never repeats the key in the error", async () => {
    server = await startRecordingServer((_request, response) => sendError(response, { status: 401, message: `Incorrect API key provided: ${API_KEY}.` }));
    const model = await createChatModel("openai:gpt-test", settingsFor(server, { fallbacks: ["fake"] }));
    const reply = await model.invoke([new HumanMessage("still answered")]);
    expect(reply.text).toBe("You said: still answered");
    expect(server.requests).toHaveLength(1);

    const lone = await createChatModel("openai:gpt-test", settingsFor(server));
    const failure = await lone.invoke([new HumanMessage("hi")]).catch((error: unknown) => error as Error);
    expect(failure).toBeInstanceOf(Error);
    expect((failure as Error).message).toMatch(/^openai:gpt-test: .*Incorrect API key provided: \[redacted\]/);
    expect((failure as Error).message).not.toContain(API_KEY);
    expect((failure as Error).message).not.toContain("Troubleshooting URL");
  });
});
