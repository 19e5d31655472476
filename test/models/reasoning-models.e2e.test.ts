import { HumanMessage, ToolMessage } from "@langchain/core/messages";
import { describe, expect, it } from "vitest";
import type { RunningServer } from "../../src/app.js";
import { createChatModel } from "../../src/models/create-chat-model.js";
import { startTestServer } from "../helpers/test-server.js";
import { chat, TestWsClient } from "../helpers/ws-client.js";
import { writeChatCompletionStream } from "./chat-completions-stream.js";
import { type ProviderHandler, type RecordedRequest, sendError, useDatabaseAndProvider } from "./recording-server.js";

const fixture = useDatabaseAndProvider();

/** A message of a recorded request body. */
type SentMessage = { role: string; content?: unknown; tool_calls?: unknown[]; reasoning_content?: unknown };

function sentMessages(request: RecordedRequest | undefined): SentMessage[] {
  return (request?.body.messages ?? []) as SentMessage[];
}

const CALCULATOR = {
  type: "function" as const,
  function: { name: "calculator", description: "Evaluate a math expression", parameters: { type: "object", properties: { expression: { type: "string" } }, required: ["expression"] } },
};

/** A server whose default model is `model` at the provider stand-in (a DeepSeek-like endpoint). */
function startServerFor(model: string): Promise<RunningServer> {
  return startTestServer({
    databaseUrl: fixture.database.url,
    env: { MODEL: `openai:${model}`, OPENAI_BASE_URL: `${fixture.provider.url}/v1`, OPENAI_API_KEY: "sk-deepseek-test-key-000000" },
  });
}

/**
 * A thinking model with DeepSeek's rule: every assistant message with tool calls, in this turn and all earlier ones,
 * must carry its `reasoning_content` back (api-docs.deepseek.com/guides/thinking_mode#tool-calls), else 400. A
 * question with "calculate" in it gets a tool call; a tool result, or anything else, a reasoned answer. The
 * reasoning streams under `reasoningField`.
 */
function thinkingModel(reasoningField: "reasoning_content" | "reasoning" = "reasoning_content"): ProviderHandler {
  return async (request, response) => {
    const messages = sentMessages(request);
    const missing = messages.findIndex((message) => message.role === "assistant" && message.tool_calls && message.reasoning_content === undefined);
    if (missing >= 0) return sendError(response, { status: 400, message: `Missing \`reasoning_content\` field in the assistant message at message index ${missing}.` });
    const last = messages.at(-1);
    const script = { model: "deepseek-reasoner", reasoningField, usage: { prompt_tokens: 20, completion_tokens: 10 } };
    if (last?.role === "user" && String(last.content).includes("calculate")) {
      return writeChatCompletionStream(response, { ...script, reasoning: ["我需要用计算器。", "TOOLTHOUGHT"], toolCalls: [{ id: "call_00_abc", name: "calculator", arguments: '{"expression":"12*(3+4)"}' }] });
    }
    return writeChatCompletionStream(response, { ...script, reasoning: ["工具返回了结果，", "现在回答。"], text: ["计算结果是 ", "84。"] });
  };
}

/** Create a `chat` assistant with these settings; its id. */
async function createAssistant(server: RunningServer, context: Record<string, unknown>): Promise<string> {
  const created = await fetch(`${server.url}/assistants`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ graph_id: "chat", context }) });
  return ((await created.json()) as { assistant_id: string }).assistant_id;
}

/**
 * DeepSeek's structured output: `json_schema` refused ("This response_format type is unavailable now"), `json_object`
 * taken when the prompt says "json" (DeepSeek's rule), answered whole; everything else as `thinkingModel`.
 */
function deepSeekShapes(shaped: Record<string, unknown>): ProviderHandler {
  const thinking = thinkingModel();
  return async (request, response, index) => {
    const format = (request.body.response_format as { type?: string } | undefined)?.type;
    if (format === undefined) return thinking(request, response, index);
    if (format !== "json_object") return sendError(response, { status: 400, message: "This response_format type is unavailable now" });
    if (!/json/i.test(JSON.stringify(request.body.messages))) return sendError(response, { status: 400, message: "Prompt must contain the word 'json' in some form to use 'response_format' of type 'json_object'." });
    response.writeHead(200, { "content-type": "application/json" });
    response.end(JSON.stringify({
      id: "chatcmpl-shaped", object: "chat.completion", created: 1, model: "deepseek-reasoner",
      choices: [{ index: 0, message: { role: "assistant", content: JSON.stringify(shaped), reasoning_content: "想一想格式。" }, finish_reason: "stop", logprobs: null }],
      usage: { prompt_tokens: 30, completion_tokens: 8, total_tokens: 38 },
    }));
  };
}

describe("a reasoning model behind an OpenAI-compatible endpoint", () => {
  it("sends a tool-calling reply's reasoning_content back in every later call (DeepSeek's thinking mode), and no plain reply's", async () => {
    fixture.provider.handle(thinkingModel());
    await using server = await startServerFor("deepseek-reasoner");
    await using client = await TestWsClient.connect(server.wsUrl);
    const { thread_id } = await client.call<{ thread_id: string }>("thread.open", {});
    const before = fixture.provider.requests.length;

    const first = await chat(client, thread_id, "Please calculate 12*(3+4)");
    expect(first.final.event, JSON.stringify(first.final.data)).toBe("run.completed");
    const second = await chat(client, thread_id, "Thanks! And hello.");
    expect(second.final.event, JSON.stringify(second.final.data)).toBe("run.completed");

    const requests = fixture.provider.requests.slice(before);
    expect(requests).toHaveLength(3);
    const toolTurn = sentMessages(requests[1]);
    expect(toolTurn.map((message) => message.role)).toEqual(["user", "assistant", "tool"]);
    expect(toolTurn[1]).toMatchObject({ reasoning_content: "我需要用计算器。TOOLTHOUGHT", tool_calls: [{ id: "call_00_abc" }] });
    // The next turn still carries it; the plain answer's reasoning is not sent (DeepSeek ignores it, R1 refused it).
    const nextTurn = sentMessages(requests[2]);
    expect(nextTurn.map((message) => message.role)).toEqual(["user", "assistant", "tool", "assistant", "user"]);
    expect(nextTurn[1]?.reasoning_content).toBe("我需要用计算器。TOOLTHOUGHT");
    expect(nextTurn[3]).toMatchObject({ content: "计算结果是 84。" });
    expect(nextTurn[3]).not.toHaveProperty("reasoning_content");
  });

  it("keeps the reasoning of a reply invoked without streaming, and sends it back with its tool calls", async () => {
    fixture.provider.handle(thinkingModel());
    const model = await createChatModel("openai:deepseek-reasoner", { openAiApiKey: "sk-deepseek-test-key-000000", openAiBaseUrl: `${fixture.provider.url}/v1`, fakeChunkDelayMs: 0, maxRetries: 0, timeoutMs: 5_000 });
    const bound = model.bindTools?.([CALCULATOR]);
    if (!bound) throw new Error("bindTools missing");
    const question = new HumanMessage("Please calculate 12*(3+4)");
    const call = await bound.invoke([question]);
    expect(call.additional_kwargs.reasoning_content).toBe("我需要用计算器。TOOLTHOUGHT");
    const answer = await bound.invoke([question, call, new ToolMessage({ tool_call_id: "call_00_abc", content: "84" })]);
    expect(answer.content).toBe("计算结果是 84。");
    expect(sentMessages(fixture.provider.requests.at(-1))[1]).toMatchObject({ reasoning_content: "我需要用计算器。TOOLTHOUGHT" });
  });

  it("keeps reasoning streamed as `reasoning` (vLLM, Ollama's /v1, OpenRouter) as reasoning_content, and sends it back with tool calls", async () => {
    fixture.provider.handle(thinkingModel("reasoning"));
    await using server = await startServerFor("deepseek-reasoner");
    await using client = await TestWsClient.connect(server.wsUrl);
    const { thread_id } = await client.call<{ thread_id: string }>("thread.open", {});
    const { final } = await chat(client, thread_id, "Please calculate 12*(3+4)");
    expect(final.event, JSON.stringify(final.data)).toBe("run.completed");
    expect(sentMessages(fixture.provider.requests.at(-1))[1]).toMatchObject({ reasoning_content: "我需要用计算器。TOOLTHOUGHT" });

    const state = (await (await fetch(`${server.url}/threads/${thread_id}/state`)).json()) as { values: { messages: { type: string; additional_kwargs: Record<string, unknown> }[] } };
    const replies = state.values.messages.filter((message) => message.type === "ai");
    expect(replies.map((message) => message.additional_kwargs.reasoning_content)).toEqual(["我需要用计算器。TOOLTHOUGHT", "工具返回了结果，现在回答。"]);
  });

  it("marks a reply DeepSeek stopped for want of capacity (insufficient_system_resource) as cut off, and runs none of its tool calls", async () => {
    const scripts: Parameters<typeof writeChatCompletionStream>[1][] = [
      { model: "deepseek-chat", text: ["第一步：打开冰箱。", "第二步："], finishReason: "insufficient_system_resource" },
      { model: "deepseek-chat", toolCalls: [{ id: "call_isr", name: "calculator", arguments: '{"expression":"1000000*3"}' }], finishReason: "insufficient_system_resource" },
      { model: "deepseek-chat", text: ["I was cut off."] },
    ];
    fixture.provider.handle(async (_request, response) => writeChatCompletionStream(response, scripts.shift() ?? { model: "deepseek-chat", text: ["ok"] }));
    await using server = await startServerFor("deepseek-chat");
    await using client = await TestWsClient.connect(server.wsUrl);
    const { thread_id } = await client.call<{ thread_id: string }>("thread.open", {});

    const first = await chat(client, thread_id, "How do I put an elephant in a fridge?");
    expect(first.final.event).toBe("run.completed");
    const second = await chat(client, thread_id, "Compute 1000000*3.");
    expect(second.final.event).toBe("run.completed");
    const results = client.events(thread_id).filter((frame) => frame.run_id === second.runId && frame.event === "tool.completed").map((frame) => frame.data);
    expect(results).toEqual([expect.objectContaining({ error: expect.stringContaining("cut off by the provider (insufficient_system_resource") as string })]);
    expect(results[0]).not.toHaveProperty("output", "3000000");

    const { messages } = await client.call<{ messages: { role: string; content: string; status?: string; tool_calls?: unknown[] }[] }>("messages.list", { thread_id, limit: 50 });
    const replies = messages.filter((message) => message.role === "assistant");
    expect(replies.map((message) => message.status)).toEqual(["truncated", "truncated", undefined]);
  });

  it("answers in an assistant's response shape on DeepSeek, which refuses json_schema: json_object with the schema in the prompt", async () => {
    const shaped = { answer: "84" };
    fixture.provider.handle(deepSeekShapes(shaped));
    await using server = await startServerFor("deepseek-reasoner");
    const responseShape = { type: "object", properties: { answer: { type: "string" } }, required: ["answer"] };
    const assistant_id = await createAssistant(server, { response_shape: responseShape });
    await using client = await TestWsClient.connect(server.wsUrl);
    const { thread_id } = await client.call<{ thread_id: string }>("thread.open", { assistant_id });
    const before = fixture.provider.requests.length;

    for (const question of ["Please calculate 12*(3+4)", "And again, please calculate it"]) {
      const { final } = await chat(client, thread_id, question);
      expect(final.event, JSON.stringify(final.data)).toBe("run.completed");
      expect(final.data).toMatchObject({ structured_response: shaped });
    }
    const formats = fixture.provider.requests.slice(before).map((request) => (request.body.response_format as { type?: string } | undefined)?.type);
    // Refused once, then asked as DeepSeek takes it at once.
    expect(formats).toEqual([undefined, undefined, "json_schema", "json_object", undefined, undefined, "json_object"]);
    const shapedRequest = sentMessages(fixture.provider.requests.at(-1));
    expect(shapedRequest.at(-1)).toMatchObject({ role: "user", content: expect.stringMatching(/matches this JSON schema: \{.*"answer":\{"type":"string"\}/) as string });
    // The shaped call carries the tool calls' reasoning too (DeepSeek's thinking-mode rule holds for it as well).
    expect(shapedRequest.filter((message) => message.tool_calls).map((message) => message.reasoning_content)).toEqual(["我需要用计算器。TOOLTHOUGHT", "我需要用计算器。TOOLTHOUGHT"]);
  });

  it("streams an emoji whose surrogate pair a server split across two deltas whole, not as two U+FFFD", async () => {
    fixture.provider.handle(async (_request, response) => writeChatCompletionStream(response, { model: "qwen-plus", text: ["表情\ud83d", "\ude00结束"] }));
    await using server = await startServerFor("qwen-plus");
    await using client = await TestWsClient.connect(server.wsUrl);
    const { thread_id } = await client.call<{ thread_id: string }>("thread.open", {});
    const { runId, final } = await chat(client, thread_id, "Send an emoji.");
    expect(final.event).toBe("run.completed");
    const deltas = client.events(thread_id).filter((frame) => frame.run_id === runId && frame.event === "message.delta").map((frame) => String(frame.data?.text));
    expect(deltas.join("")).toBe("表情😀结束");
    expect(deltas.some((text) => text.includes("\ufffd"))).toBe(false);
  });
});
