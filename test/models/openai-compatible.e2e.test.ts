import { describe, expect, it } from "vitest";
import type { RunningServer } from "../../src/app.js";
import { startTestServer } from "../helpers/test-server.js";
import { chat, TestWsClient } from "../helpers/ws-client.js";
import { SUMMARY_INSTRUCTIONS } from "../../src/memory/model-summary.js";
import { writeChatCompletionStream } from "./chat-completions-stream.js";
import { sendError, useDatabaseAndProvider } from "./recording-server.js";

const fixture = useDatabaseAndProvider();

/** A server whose default model is `openai:qwen-plus` at the mock provider. */
function startQwenServer(): Promise<RunningServer> {
  return startTestServer({
    databaseUrl: fixture.database.url,
    env: { MODEL: "openai:qwen-plus", OPENAI_BASE_URL: `${fixture.provider.url}/v1`, OPENAI_API_KEY: "sk-dashscope-test-key-000000" },
  });
}

/** Create a `chat` assistant with these settings; its id. */
async function createAssistant(server: RunningServer, context: Record<string, unknown>): Promise<string> {
  const created = await fetch(`${server.url}/assistants`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ graph_id: "chat", context }) });
  return ((await created.json()) as { assistant_id: string }).assistant_id;
}

describe("an OpenAI-compatible server behind a Threadline run", () => {
  it("streams deltas, runs the tool call, and records usage per model", async () => {
    fixture.provider.handle(async (request, response) => {
      const messages = request.body.messages as { role: string }[];
      if (messages.at(-1)?.role === "tool") {
        await writeChatCompletionStream(response, { model: "qwen-plus", text: ["The answer ", "is 84."], usage: { prompt_tokens: 80, completion_tokens: 6 } });
      } else {
        await writeChatCompletionStream(response, {
          model: "qwen-plus",
          toolCalls: [{ id: "call_1", name: "calculator", arguments: '{"expression":"12 * (3 + 4)"}' }],
          usage: { prompt_tokens: 70, completion_tokens: 12 },
        });
      }
    });
    await using server = await startTestServer({
      databaseUrl: fixture.database.url,
      env: { MODEL: "openai:qwen-plus", OPENAI_BASE_URL: `${fixture.provider.url}/v1`, OPENAI_API_KEY: "sk-dashscope-test-key-000000" },
    });
    await using client = await TestWsClient.connect(server.wsUrl);
    const { thread_id } = await client.call<{ thread_id: string }>("thread.open", {});
    const { runId, final } = await chat(client, thread_id, "What is 12 * (3 + 4)?");

    expect(final.event).toBe("run.completed");
    const events = client.events(thread_id).filter((frame) => frame.run_id === runId);
    const deltas = events.filter((frame) => frame.event === "message.delta");
    expect(deltas.map((frame) => frame.data?.text).join("")).toBe("The answer is 84.");
    expect(deltas.length).toBeGreaterThanOrEqual(2);
    expect(new Set(deltas.map((frame) => frame.data?.message_id)).size).toBe(1);
    expect(events.find((frame) => frame.event === "tool.started")?.data).toMatchObject({ name: "calculator", args: { expression: "12 * (3 + 4)" } });
    expect(events.find((frame) => frame.event === "tool.completed")?.data).toMatchObject({ name: "calculator", output: "84" });
    expect(final.data?.usage).toEqual({ input_tokens: 150, output_tokens: 18, by_model: { "qwen-plus": { input_tokens: 150, output_tokens: 18 } } });

    const [first, second] = fixture.provider.requests.slice(-2).map((request) => request.body);
    expect(first).toMatchObject({ model: "qwen-plus", stream: true });
    expect((first?.tools as { function: { name: string } }[]).map((tool) => tool.function.name)).toContain("calculator");
    expect((second?.messages as { role: string }[]).map((message) => message.role)).toEqual(["user", "assistant", "tool"]);
  });

  it("answers in an assistant's response shape: the structured call is not streamed, and both calls' tokens count", async () => {
    const shaped = { answer: "42", confidence: 0.9 };
    fixture.provider.handle(async (request, response) => {
      if (!request.body.response_format) {
        await writeChatCompletionStream(response, { model: "qwen-plus", text: ["Six times ", "seven is 42."], usage: { prompt_tokens: 20, completion_tokens: 6 } });
        return;
      }
      response.writeHead(200, { "content-type": "application/json" });
      response.end(JSON.stringify({
        id: "chatcmpl-shaped", object: "chat.completion", created: 1, model: "qwen-plus",
        choices: [{ index: 0, message: { role: "assistant", content: JSON.stringify(shaped) }, finish_reason: "stop", logprobs: null }],
        usage: { prompt_tokens: 30, completion_tokens: 8, total_tokens: 38 },
      }));
    });
    await using server = await startQwenServer();
    const assistant_id = await createAssistant(server, { tools: [], response_shape: { type: "object", properties: { answer: { type: "string" }, confidence: { type: "number" } }, required: ["answer", "confidence"] } });
    await using client = await TestWsClient.connect(server.wsUrl);
    // Several runs: the pool has idle clients (whose timers made the provider's config hashing throw) by the second.
    for (const question of ["What is 6*7?", "And again?"]) {
      const { thread_id } = await client.call<{ thread_id: string }>("thread.open", { assistant_id });
      const { runId, final } = await chat(client, thread_id, question);
      expect(final.event, JSON.stringify(final.data)).toBe("run.completed");
      expect(final.data).toMatchObject({ structured_response: shaped, usage: { input_tokens: 50, output_tokens: 14 } });
      const structuredRequest = fixture.provider.requests.at(-1)?.body;
      expect(structuredRequest).toMatchObject({ model: "qwen-plus", response_format: { type: "json_schema" } });
      expect(structuredRequest?.stream).not.toBe(true);
      // One streamed message: the draft's deltas, then its completion carrying the shaped JSON (which replaces it).
      const events = client.events(thread_id).filter((frame) => frame.run_id === runId);
      const ids = new Set(events.filter((frame) => frame.event === "message.delta").map((frame) => frame.data?.message_id));
      expect(ids.size).toBe(1);
      const completed = events.filter((frame) => frame.event === "message.completed").map((frame) => frame.data?.message as { id: string; role: string; content: string });
      expect(completed.at(-1)).toMatchObject({ id: [...ids][0], role: "assistant" });
      expect(JSON.parse(completed.at(-1)?.content ?? "{}")).toEqual(shaped);
    }
  });

  it("credits a structured answer's tokens to the model that wrote it when a fallback did", async () => {
    fixture.provider.handle(async (request, response) => {
      const model = String(request.body.model);
      if (!request.body.response_format) return writeChatCompletionStream(response, { model, text: ["Forty-two."], usage: { prompt_tokens: 11, completion_tokens: 7 } });
      if (model === "qwen-plus") return sendError(response, { status: 400, message: "response_format is not supported" });
      response.writeHead(200, { "content-type": "application/json" });
      response.end(JSON.stringify({
        id: "chatcmpl-fallback", object: "chat.completion", created: 1, model,
        choices: [{ index: 0, message: { role: "assistant", content: JSON.stringify({ answer: "42" }) }, finish_reason: "stop", logprobs: null }],
        usage: { prompt_tokens: 26, completion_tokens: 9, total_tokens: 35 },
      }));
    });
    await using server = await startTestServer({
      databaseUrl: fixture.database.url,
      env: { MODEL: "openai:qwen-plus", MODEL_FALLBACKS: "openai:qwen-max", OPENAI_BASE_URL: `${fixture.provider.url}/v1`, OPENAI_API_KEY: "sk-dashscope-test-key-000000" },
    });
    const assistant_id = await createAssistant(server, { tools: [], response_shape: { type: "object", properties: { answer: { type: "string" } }, required: ["answer"] } });
    await using client = await TestWsClient.connect(server.wsUrl);
    const { thread_id } = await client.call<{ thread_id: string }>("thread.open", { assistant_id });
    const { final } = await chat(client, thread_id, "What is 6*7?");
    expect(final.data).toMatchObject({
      structured_response: { answer: "42" },
      usage: { input_tokens: 37, output_tokens: 16, by_model: { "qwen-plus": { input_tokens: 11, output_tokens: 7 }, "qwen-max": { input_tokens: 26, output_tokens: 9 } } },
    });
  });

  it("writes the running summary without the assistant's reply cap (max_tokens), so it is not cut short", async () => {
    const isSummary = (body: Record<string, unknown>) => (body.messages as { content?: unknown }[])[0]?.content === SUMMARY_INSTRUCTIONS;
    fixture.provider.handle(async (request, response) => {
      const text = isSummary(request.body) ? ["The user keeps asking about ", "gardening and tulips."] : ["Noted."];
      await writeChatCompletionStream(response, { model: "qwen-plus", text, usage: { prompt_tokens: 10, completion_tokens: 3 } });
    });
    await using server = await startQwenServer();
    const assistant_id = await createAssistant(server, { tools: [], max_tokens: 12, context_budget: 250 });
    await using client = await TestWsClient.connect(server.wsUrl);
    const { thread_id } = await client.call<{ thread_id: string }>("thread.open", { assistant_id });
    const before = fixture.provider.requests.length;
    for (let turn = 1; turn <= 10; turn += 1) {
      const { final } = await chat(client, thread_id, `Turn ${turn}: I planted ${turn} tulips near the fence today, and my dog Rex dug ${turn} holes in the lawn again.`);
      expect(final.event).toBe("run.completed");
    }
    const bodies = fixture.provider.requests.slice(before).map((request) => request.body);
    const summaries = bodies.filter(isSummary);
    expect(summaries.length).toBeGreaterThan(0);
    for (const body of summaries) expect(body.max_tokens ?? body.max_completion_tokens).toBeUndefined();
    for (const body of bodies.filter((candidate) => !isSummary(candidate))) expect(body.max_tokens ?? body.max_completion_tokens).toBe(12);
    const state = await client.call<{ values: { summary?: { text: string } } }>("state.get", { thread_id });
    expect(state.values.summary?.text).toContain("gardening and tulips.");
  });

  it("fails a turn whose running summary cannot be written as model_error, and folds on the next turn", async () => {
    const isSummary = (body: Record<string, unknown>) => (body.messages as { content?: unknown }[])[0]?.content === SUMMARY_INSTRUCTIONS;
    let summaryDown = true;
    fixture.provider.handle(async (request, response) => {
      if (isSummary(request.body) && summaryDown) return sendError(response, { status: 400, message: "summary model refused the request" });
      await writeChatCompletionStream(response, { model: "qwen-plus", text: isSummary(request.body) ? ["A summary."] : ["Noted."] });
    });
    await using server = await startQwenServer();
    const assistant_id = await createAssistant(server, { tools: [], context_budget: 250 });
    await using client = await TestWsClient.connect(server.wsUrl);
    const { thread_id } = await client.call<{ thread_id: string }>("thread.open", { assistant_id });
    let failed: Awaited<ReturnType<typeof chat>>["final"] | undefined;
    for (let turn = 1; turn <= 10 && !failed; turn += 1) {
      const { final } = await chat(client, thread_id, `Turn ${turn}: a long enough message about tulips, fences and a dog that digs holes in the lawn.`);
      if (final.event === "run.failed") failed = final;
    }
    expect(failed?.data).toMatchObject({ code: "model_error" });
    expect(String(failed?.data?.message)).toMatch(/^the running summary could not be written: .*summary model refused the request/);
    summaryDown = false;
    expect((await chat(client, thread_id, "And now?")).final.event).toBe("run.completed");
    const state = await client.call<{ values: { summary?: { text: string } } }>("state.get", { thread_id });
    expect(state.values.summary?.text).toBe("A summary.");
  });

  it.each([
    ["OpenAI", { error: { message: "Invalid model: qwen-nope (key sk-dashscope-test-key-000000)", type: "invalid_request_error", code: null } }, "Invalid model: qwen-nope"],
    ["vLLM", { object: "error", message: "This model's maximum context length is 2048 tokens (key sk-dashscope-test-key-000000)", type: "BadRequestError", param: null, code: 400 }, "maximum context length is 2048 tokens"],
    ["a FastAPI proxy", { detail: "Model qwen-nope is not served here" }, "Model qwen-nope is not served here"],
  ])("ends the run with model_error carrying the words of %s's error body, without the key (OpenAI's SDK reads only {error: {message}})", async (_server, body, words) => {
    fixture.provider.handle((_request, response) => {
      response.writeHead(400, { "content-type": "application/json" });
      response.end(JSON.stringify(body));
    });
    await using server = await startTestServer({
      databaseUrl: fixture.database.url,
      env: { MODEL: "openai:qwen-nope", OPENAI_BASE_URL: `${fixture.provider.url}/v1`, OPENAI_API_KEY: "sk-dashscope-test-key-000000" },
    });
    await using client = await TestWsClient.connect(server.wsUrl);
    const { thread_id } = await client.call<{ thread_id: string }>("thread.open", {});
    const { final } = await chat(client, thread_id, "hello");
    expect(final.event).toBe("run.failed");
    expect(final.data).toMatchObject({ code: "model_error" });
    expect(String(final.data?.message)).toContain(words);
    expect(String(final.data?.message)).not.toContain("no body");
    expect(String(final.data?.message)).not.toContain("sk-dashscope-test-key-000000");
  });

  it("fails a structured answer's call with the provider's message and no key, whatever the key looks like", async () => {
    const key = "vllm-token-7f3a9c2e51d04b8a";
    fixture.provider.handle(async (request, response) => {
      if (!request.body.response_format) return writeChatCompletionStream(response, { model: "qwen-plus", text: ["Draft."], usage: { prompt_tokens: 11, completion_tokens: 7 } });
      // A proxy that echoes the credentials it refused.
      sendError(response, { status: 401, message: `Incorrect API key provided: ${key}` });
    });
    await using server = await startTestServer({ databaseUrl: fixture.database.url, env: { MODEL: "openai:qwen-plus", OPENAI_BASE_URL: `${fixture.provider.url}/v1`, OPENAI_API_KEY: key } });
    const assistant_id = await createAssistant(server, { tools: [], response_shape: { type: "object", properties: { answer: { type: "string" } } } });
    await using client = await TestWsClient.connect(server.wsUrl);
    const { thread_id } = await client.call<{ thread_id: string }>("thread.open", { assistant_id });
    const { final } = await chat(client, thread_id, "hello");
    expect(final.event).toBe("run.failed");
    expect(final.data).toMatchObject({ code: "model_error" });
    const message = String(final.data?.message);
    expect(message).toContain("openai:qwen-plus");
    expect(message).toContain("Incorrect API key provided: [redacted]");
    expect(message).not.toContain(key);
    expect(message).not.toContain("Troubleshooting URL");
    // The draft's call finished: its tokens count although its structured form failed.
    expect(final.data?.usage).toEqual({ input_tokens: 11, output_tokens: 7, by_model: { "qwen-plus": { input_tokens: 11, output_tokens: 7 } } });
    const runs = await (await fetch(`${server.url}/threads/${thread_id}/runs`)).text();
    expect(runs).not.toContain(key);
  });

  it("says in words when the provider drops the connection mid-reply or sends a body that is not JSON", async () => {
    let mode: "drop" | "garbage" = "drop";
    fixture.provider.handle((_request, response) => {
      response.writeHead(200, { "content-type": "text/event-stream" });
      if (mode === "garbage") {
        response.end("data: {not json at all\n\n");
        return Promise.resolve();
      }
      const chunk = { id: "chatcmpl-1", object: "chat.completion.chunk", created: 1, model: "qwen-plus", choices: [{ index: 0, delta: { content: "Half a rep" }, finish_reason: null }] };
      response.write(`data: ${JSON.stringify(chunk)}\n\n`);
      setTimeout(() => response.socket?.destroy(), 50);
      return Promise.resolve();
    });
    await using server = await startQwenServer();
    await using client = await TestWsClient.connect(server.wsUrl);
    const { thread_id } = await client.call<{ thread_id: string }>("thread.open", {});
    const dropped = await chat(client, thread_id, "hello");
    expect(dropped.final.event).toBe("run.failed");
    expect(String(dropped.final.data?.message)).toMatch(/openai:qwen-plus: the provider's connection dropped mid-reply \(terminated/);
    mode = "garbage";
    const garbled = await chat(client, thread_id, "again");
    expect(garbled.final.event).toBe("run.failed");
    expect(String(garbled.final.data?.message)).toContain("the provider sent a reply that is not valid JSON (");
  });

  it("sends imported speakers' names in the form OpenAI accepts, and keeps them as written in the transcript", async () => {
    fixture.provider.handle(async (_request, response) => {
      await writeChatCompletionStream(response, { model: "qwen-plus", text: ["Noted."], usage: { prompt_tokens: 30, completion_tokens: 2 } });
    });
    await using server = await startQwenServer();
    const conversation = [
      { speaker: "Caroline Smith", content: "Hi Mel!", timestamp: "2024-03-01T09:00:00Z" },
      { speaker: "Melanie <3", content: "Hi Caroline", timestamp: "2024-03-01T09:01:00Z" },
      { speaker: "张伟", content: "大家好", timestamp: "2024-03-01T09:02:00Z" },
      { speaker: "José O'Brien", content: "Hola", timestamp: "2024-03-01T09:03:00Z" },
    ]
      .map((line) => JSON.stringify(line))
      .join("\n");
    const imported = await fetch(`${server.url}/threads/import`, { method: "POST", headers: { "Content-Type": "application/x-ndjson" }, body: conversation });
    const { thread_id } = (await imported.json()) as { thread_id: string };
    await using client = await TestWsClient.connect(server.wsUrl);
    expect((await chat(client, thread_id, "How are you both?")).final.event).toBe("run.completed");

    const sent = fixture.provider.requests.at(-1)?.body.messages as { role: string; name?: string; content: string }[];
    expect(sent.slice(0, 4).map((message) => [message.role, message.name, message.content])).toEqual([
      ["user", "Caroline_Smith", "Hi Mel!"],
      ["assistant", "Melanie_3", "Hi Caroline"],
      // No form OpenAI accepts: the speaker goes in front of the words.
      ["user", undefined, "张伟: 大家好"],
      ["user", "Jose_O_Brien", "Hola"],
    ]);
    // OpenAI's own rule for `name` (it refuses anything else with 400 on every turn).
    for (const message of sent) if (message.name !== undefined) expect(message.name).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
    // A name already in a thread's state (a thread imported before names were made safe; a state edit) is made safe
    // at the provider call too; the state keeps it as written.
    const edited = await fetch(`${server.url}/threads/${thread_id}/state`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ values: { messages: [{ type: "human", content: "我也来了", name: "李娜" }] } }),
    });
    expect(edited.status).toBe(200);
    expect((await chat(client, thread_id, "and now?")).final.event).toBe("run.completed");
    const resent = fixture.provider.requests.at(-1)?.body.messages as { role: string; name?: string; content: string }[];
    const named = resent.find((message) => message.content.endsWith("我也来了"));
    expect(named).toMatchObject({ role: "user", content: "李娜: 我也来了" });
    expect(named?.name).toBeUndefined();
    const state = (await (await fetch(`${server.url}/threads/${thread_id}/state`)).json()) as { values: { messages: { name?: string; content: string }[] } };
    expect(state.values.messages.find((message) => message.content === "我也来了")?.name).toBe("李娜");
    // A name in a run's input (LangGraph clients may send one): kept as written in the state and the transcript.
    const withName = await fetch(`${server.url}/threads/${thread_id}/runs/wait`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ input: { messages: [{ role: "user", content: "还有我", name: "王芳" }] } }),
    });
    expect(withName.status).toBe(200);
    await withName.text();
    expect((fixture.provider.requests.at(-1)?.body.messages as { content: string }[]).at(-1)).toMatchObject({ content: "王芳: 还有我" });
    const after = (await (await fetch(`${server.url}/threads/${thread_id}/state`)).json()) as { values: { messages: { name?: string; content: string }[] } };
    expect(after.values.messages.find((message) => message.content === "还有我")?.name).toBe("王芳");
    const { messages: rows } = await client.call<{ messages: { name?: string; content: string }[] }>("messages.list", { thread_id, limit: 50 });
    expect(rows.find((row) => row.content === "还有我")?.name).toBe("王芳");
    const exported = await (await fetch(`${server.url}/threads/${thread_id}/export`)).text();
    const lines = exported.split("\n").slice(0, 4).map((line) => JSON.parse(line) as { name: string; content: string });
    expect(lines.map((line) => [line.name, line.content])).toEqual([["Caroline Smith", "Hi Mel!"], ["Melanie <3", "Hi Caroline"], ["张伟", "大家好"], ["José O'Brien", "Hola"]]);
  });

  it("gives every tool call an id of its own, answers unparsable arguments with an error, and never runs a call cut off at max_tokens or mid-JSON", async () => {
    type Sent = { role: string; content: string | null; tool_call_id?: string; tool_calls?: { id: string; function: { name: string; arguments: string } }[] };
    const scripts: Parameters<typeof writeChatCompletionStream>[1][] = [
      // Two calls under one id, as some servers send them.
      { model: "qwen-plus", toolCalls: [{ id: "call_0", name: "calculator", arguments: '{"expression":"6*7"}' }, { id: "call_0", name: "calculator", arguments: '{"expression":"2+2"}' }] },
      { model: "qwen-plus", text: ["42 and 4."] },
      // Arguments that are not JSON, and no id at all.
      { model: "qwen-plus", toolCalls: [{ id: "", name: "calculator", arguments: "{'expression': '1+1'}" }] },
      { model: "qwen-plus", text: ["Sorry, retrying is not needed."] },
      // Cut off while writing the arguments: LangChain would repair `{"expression":"1000000*3` into something runnable.
      { model: "qwen-plus", toolCalls: [{ id: "call_9", name: "calculator", arguments: '{"expression":"1000000*3' }], finishReason: "length" },
      { model: "qwen-plus", text: ["I was cut off."] },
      // No id, good arguments (vLLM and llama.cpp servers send such calls): LangChain files it as invalid.
      { model: "qwen-plus", toolCalls: [{ id: "", name: "calculator", arguments: '{"expression":"5*5"}' }] },
      { model: "qwen-plus", text: ["25."] },
      // Cut off mid-JSON although the server says the calls are done (llama.cpp, Ollama's `stop`, broken small models):
      // LangChain would repair it into `{"expression":"2+2"}`, which ran.
      { model: "qwen-plus", toolCalls: [{ id: "call_7", name: "calculator", arguments: '{"expression": "2+2' }] },
      { model: "qwen-plus", text: ["That call was broken."] },
    ];
    fixture.provider.handle(async (_request, response) => writeChatCompletionStream(response, scripts.shift() ?? { model: "qwen-plus", text: ["ok"] }));
    await using server = await startQwenServer();
    await using client = await TestWsClient.connect(server.wsUrl);
    const { thread_id } = await client.call<{ thread_id: string }>("thread.open", {});
    const toolResults = (runId: string) => client.events(thread_id).filter((frame) => frame.run_id === runId && frame.event === "tool.completed").map((frame) => frame.data);

    const first = await chat(client, thread_id, "Compute 6*7 and 2+2.");
    expect(first.final.event).toBe("run.completed");
    const firstResults = toolResults(first.runId);
    expect(firstResults.map((data) => data?.output)).toEqual(["42", "4"]);
    expect(new Set(firstResults.map((data) => data?.tool_call_id)).size).toBe(2);
    const afterFirst = fixture.provider.requests.at(-1)?.body.messages as Sent[];
    const calls = afterFirst.find((message) => message.tool_calls)?.tool_calls ?? [];
    expect(calls.map((call) => call.id)).toEqual(afterFirst.filter((message) => message.role === "tool").map((message) => message.tool_call_id));
    expect(new Set(calls.map((call) => call.id)).size).toBe(2);

    const second = await chat(client, thread_id, "Compute 1+1.");
    expect(second.final.event).toBe("run.completed");
    expect(toolResults(second.runId)).toEqual([expect.objectContaining({ error: expect.stringContaining("not valid JSON") as string })]);
    const afterSecond = fixture.provider.requests.at(-1)?.body.messages as Sent[];
    const invalidCall = afterSecond.filter((message) => message.tool_calls).at(-1)?.tool_calls?.[0];
    expect(invalidCall?.id).toMatch(/^call_[0-9a-f]{32}$/);
    expect(afterSecond.at(-1)).toMatchObject({ role: "tool", tool_call_id: invalidCall?.id });

    const third = await chat(client, thread_id, "Compute 1000000*3.");
    expect(third.final.event).toBe("run.completed");
    expect(toolResults(third.runId)).toEqual([expect.objectContaining({ error: expect.stringContaining("cut off at its token limit") as string })]);
    const fourth = await chat(client, thread_id, "Compute 5*5.");
    expect(toolResults(fourth.runId)).toEqual([expect.objectContaining({ output: "25" })]);
    const fifth = await chat(client, thread_id, "Compute 2+2.");
    expect(fifth.final.event).toBe("run.completed");
    expect(toolResults(fifth.runId)).toEqual([expect.objectContaining({ error: expect.stringContaining("not valid JSON") as string })]);
    // The conversation stays one the provider accepts: every call has its result, in order.
    const last = fixture.provider.requests.at(-1)?.body.messages as Sent[];
    const ids = last.flatMap((message) => message.tool_calls?.map((call) => call.id) ?? []);
    expect(last.filter((message) => message.role === "tool").map((message) => message.tool_call_id)).toEqual(ids);
  });
});
