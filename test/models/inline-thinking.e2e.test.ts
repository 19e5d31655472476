import type { ServerResponse } from "node:http";
import { describe, expect, it } from "vitest";
import type { RunningServer } from "../../src/app.js";
import { startTestServer } from "../helpers/test-server.js";
import { chat, TestWsClient } from "../helpers/ws-client.js";
import { writeChatCompletionStream } from "./chat-completions-stream.js";
import { type RecordedRequest, useDatabaseAndProvider } from "./recording-server.js";

const fixture = useDatabaseAndProvider();

/** The last user message's text of a provider request. */
function lastUserText(request: RecordedRequest): string {
  const messages = request.body.messages as { role: string; content: string }[];
  return messages.filter((message) => message.role === "user").at(-1)?.content ?? "";
}

/** Replies by a tag in the user's words, as llama.cpp or vLLM without a reasoning parser stream them. */
async function answerWithInlineThinking(request: RecordedRequest, response: ServerResponse): Promise<void> {
  const said = lastUserText(request);
  const model = String(request.body.model);
  if (said.includes("#split")) return writeChatCompletionStream(response, { model, text: ["<thi", "nk>SPLITTHOUGHT pondering", " more</th", "ink>", "\n\nVisible answer."] });
  if (said.includes("#qwen3")) return writeChatCompletionStream(response, { model, text: ["QWENTHOUGHT okay let me see.\n</think>\n\n", "结果是 7。"] });
  if (said.includes("#unclosed")) return writeChatCompletionStream(response, { model, text: ["<think>\nUNCLOSEDTHOUGHT the model kept thinking and", " never stopped"], finishReason: "length" });
  return writeChatCompletionStream(response, { model, text: ["<think>\nTHINKINLINE\n</think>\n\n", "你好！这是答案。"] });
}

function startServer(model: string): Promise<RunningServer> {
  return startTestServer({ databaseUrl: fixture.database.url, env: { MODEL: model, OPENAI_BASE_URL: `${fixture.provider.url}/v1`, OLLAMA_BASE_URL: fixture.provider.url, OPENAI_API_KEY: "sk-test" } });
}

/** The text of a run's deltas, the transcript's rows and the state's assistant messages of a thread. */
async function seen(client: TestWsClient, threadId: string, runId: string) {
  const deltas = client.events(threadId).filter((frame) => frame.run_id === runId && frame.event === "message.delta").map((frame) => String(frame.data?.text));
  const { messages: rows } = await client.call<{ messages: { role: string; content: string; status?: string }[] }>("messages.list", { thread_id: threadId });
  const state = await client.call<{ values: { messages: { type: string; content: string; additional_kwargs?: { reasoning_content?: string } }[] } }>("state.get", { thread_id: threadId });
  return { deltas: deltas.join(""), rows, replies: state.values.messages.filter((message) => message.type === "ai") };
}

describe("a model that writes its reasoning inline as <think>…</think>", () => {
  it("streams, stores and sends back only the answer; the reasoning is kept in reasoning_content", async () => {
    fixture.provider.handle(answerWithInlineThinking);
    await using server = await startServer("openai:deepseek-r1-distill");
    await using client = await TestWsClient.connect(server.wsUrl);
    const { thread_id } = await client.call<{ thread_id: string }>("thread.open", {});
    const { runId, final } = await chat(client, thread_id, "hi #split");
    expect(final.event).toBe("run.completed");
    const first = await seen(client, thread_id, runId);
    expect(first.deltas).toBe("Visible answer.");
    expect(first.rows.map((row) => row.content)).toEqual(["hi #split", "Visible answer."]);
    expect(first.replies[0]?.additional_kwargs?.reasoning_content).toBe("SPLITTHOUGHT pondering more");

    const second = await chat(client, thread_id, "and again");
    expect(second.final.event).toBe("run.completed");
    const next = fixture.provider.requests.at(-1)?.body.messages as { role: string; content: string }[];
    expect(next.map((message) => [message.role, message.content])).toEqual([["user", "hi #split"], ["assistant", "Visible answer."], ["user", "and again"]]);
    expect(JSON.stringify(fixture.provider.requests.at(-1)?.body)).not.toMatch(/SPLITTHOUGHT|think>/);
    expect((await seen(client, thread_id, second.runId)).deltas).toBe("你好！这是答案。");
  });

  it("splits a reply whose template opened the block (a lone </think>) in what is stored, and live from the model's next reply", async () => {
    fixture.provider.handle(answerWithInlineThinking);
    await using server = await startServer("openai:qwen3-8b");
    await using client = await TestWsClient.connect(server.wsUrl);
    const { thread_id } = await client.call<{ thread_id: string }>("thread.open", {});
    const first = await chat(client, thread_id, "what is 3+4? #qwen3");
    const firstSeen = await seen(client, thread_id, first.runId);
    expect(firstSeen.rows.at(-1)?.content).toBe("结果是 7。");
    expect(firstSeen.replies.at(-1)?.additional_kwargs?.reasoning_content).toBe("QWENTHOUGHT okay let me see.\n");
    const completed = client.events(thread_id).find((frame) => frame.run_id === first.runId && frame.event === "message.completed" && (frame.data?.message as { role: string }).role === "assistant");
    expect((completed?.data?.message as { content: string }).content).toBe("结果是 7。");

    const second = await chat(client, thread_id, "and 3+4 again? #qwen3");
    expect(JSON.stringify(fixture.provider.requests.at(-1)?.body)).not.toContain("QWENTHOUGHT");
    const secondSeen = await seen(client, thread_id, second.runId);
    expect(secondSeen.deltas).toBe("结果是 7。");
    expect(secondSeen.rows.at(-1)?.content).toBe("结果是 7。");
  });

  it("leaves a reply cut off while thinking empty and marked truncated, and sends none of it back", async () => {
    fixture.provider.handle(answerWithInlineThinking);
    await using server = await startServer("openai:deepseek-r1-distill");
    await using client = await TestWsClient.connect(server.wsUrl);
    const { thread_id } = await client.call<{ thread_id: string }>("thread.open", {});
    const { runId } = await chat(client, thread_id, "think hard #unclosed");
    const cut = await seen(client, thread_id, runId);
    expect(cut.deltas).toBe("");
    expect(cut.rows.at(-1)).toMatchObject({ role: "assistant", content: "", status: "truncated" });
    expect(cut.replies.at(-1)?.additional_kwargs?.reasoning_content).toBe("\nUNCLOSEDTHOUGHT the model kept thinking and never stopped");
    await chat(client, thread_id, "hello?");
    expect(JSON.stringify(fixture.provider.requests.at(-1)?.body)).not.toContain("UNCLOSEDTHOUGHT");
  });

  it("answers a run waited for over HTTP (not streamed) without the reasoning", async () => {
    fixture.provider.handle(answerWithInlineThinking);
    await using server = await startServer("openai:deepseek-r1-distill");
    const thread = (await (await fetch(`${server.url}/threads`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" })).json()) as { thread_id: string };
    const waited = await fetch(`${server.url}/threads/${thread.thread_id}/runs/wait`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ assistant_id: "chat", input: { messages: [{ role: "user", content: "hi #split" }] } }),
    });
    const values = (await waited.json()) as { messages: { type: string; content: string; additional_kwargs?: { reasoning_content?: string } }[] };
    expect(values.messages.at(-1)).toMatchObject({ type: "ai", content: "Visible answer.", additional_kwargs: { reasoning_content: "SPLITTHOUGHT pondering more" } });
  });

  it("splits an Ollama model's inline block too (Ollama without `think`)", async () => {
    fixture.provider.handle((_request, response) => {
      response.writeHead(200, { "content-type": "application/x-ndjson" });
      const line = (content: string, done = false) => `${JSON.stringify({ model: "qwen3:8b", created_at: new Date().toISOString(), message: { role: "assistant", content }, done, ...(done ? { done_reason: "stop", prompt_eval_count: 5, eval_count: 5 } : {}) })}\n`;
      for (const piece of ["<think>\nOLLAMATHOUGHT 想一想\n</th", "ink>\n\n", "你好"]) response.write(line(piece));
      response.end(line("", true));
    });
    await using server = await startServer("ollama:qwen3:8b");
    await using client = await TestWsClient.connect(server.wsUrl);
    const { thread_id } = await client.call<{ thread_id: string }>("thread.open", {});
    const { runId, final } = await chat(client, thread_id, "hi");
    expect(final.event).toBe("run.completed");
    const result = await seen(client, thread_id, runId);
    expect(result.deltas).toBe("你好");
    expect(result.rows.at(-1)?.content).toBe("你好");
    expect(result.replies.at(-1)?.additional_kwargs?.reasoning_content).toBe("\nOLLAMATHOUGHT 想一想\n");
  });
});
