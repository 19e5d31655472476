import type { ServerResponse } from "node:http";

/** A tool call the fake provider streams, its JSON arguments split into several deltas like real servers do. */
export interface StreamedToolCall {
  id: string;
  name: string;
  arguments: string;
}

/** What one streamed chat completion contains. */
export interface CompletionScript {
  model: string;
  /** Text pieces, one `delta.content` each. */
  text?: string[];
  /** Reasoning pieces streamed before the text, one delta each, under `reasoningField`. */
  reasoning?: string[];
  /** The delta field reasoning streams in: DeepSeek's, or newer vLLM's, Ollama's and OpenRouter's. @default "reasoning_content" */
  reasoningField?: "reasoning_content" | "reasoning";
  toolCalls?: StreamedToolCall[];
  usage?: { prompt_tokens: number; completion_tokens: number };
  /** Milliseconds between chunks. @default 0 */
  delayMs?: number;
  /** The last choice's finish_reason. @default "tool_calls" with tool calls, else "stop" */
  finishReason?: string;
}

/**
 * Write an OpenAI chat-completions SSE stream: `chat.completion.chunk` frames (role first, then content or
 * tool_calls deltas whose arguments arrive in pieces), the finish_reason, a usage-only frame, then `[DONE]`.
 */
export async function writeChatCompletionStream(response: ServerResponse, script: CompletionScript): Promise<void> {
  response.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive" });
  const id = `chatcmpl-${Math.random().toString(36).slice(2, 10)}`;
  const created = Math.floor(Date.now() / 1000);
  const frame = async (choices: unknown[], extra: Record<string, unknown> = {}) => {
    if (response.destroyed) return;
    response.write(`data: ${JSON.stringify({ id, object: "chat.completion.chunk", created, model: script.model, system_fingerprint: null, choices, ...extra })}\n\n`);
    if (script.delayMs) await new Promise((resolve) => setTimeout(resolve, script.delayMs));
  };
  await frame([{ index: 0, delta: { role: "assistant", content: "" }, logprobs: null, finish_reason: null }]);
  for (const piece of script.reasoning ?? []) await frame([{ index: 0, delta: { [script.reasoningField ?? "reasoning_content"]: piece }, logprobs: null, finish_reason: null }]);
  for (const piece of script.text ?? []) await frame([{ index: 0, delta: { content: piece }, logprobs: null, finish_reason: null }]);
  for (const [index, call] of (script.toolCalls ?? []).entries()) {
    await frame([{ index: 0, delta: { tool_calls: [{ index, id: call.id, type: "function", function: { name: call.name, arguments: "" } }] }, logprobs: null, finish_reason: null }]);
    for (const piece of splitInThree(call.arguments)) {
      await frame([{ index: 0, delta: { tool_calls: [{ index, function: { arguments: piece } }] }, logprobs: null, finish_reason: null }]);
    }
  }
  await frame([{ index: 0, delta: {}, logprobs: null, finish_reason: script.finishReason ?? (script.toolCalls?.length ? "tool_calls" : "stop") }]);
  if (script.usage) {
    const usage = { ...script.usage, total_tokens: script.usage.prompt_tokens + script.usage.completion_tokens };
    await frame([], { usage });
  }
  response.end("data: [DONE]\n\n");
}

function splitInThree(text: string): string[] {
  const size = Math.max(1, Math.ceil(text.length / 3));
  const pieces: string[] = [];
  for (let start = 0; start < text.length; start += size) pieces.push(text.slice(start, start + size));
  return pieces;
}

/**
 * A chat-completions stand-in's answer by the last message's words: "long" → a reply cut off at its length limit,
 * "forbidden" → an empty one the content filter stopped, anything else → a whole answer.
 */
export function answerByEnding(request: { body: Record<string, unknown> }, response: ServerResponse): Promise<void> {
  const last = (request.body.messages as { content: string }[]).at(-1)?.content ?? "";
  if (last.includes("long")) return writeChatCompletionStream(response, { model: "gpt-test", text: ["This answer is cut ", "off mid"], finishReason: "length" });
  if (last.includes("forbidden")) return writeChatCompletionStream(response, { model: "gpt-test", text: [""], finishReason: "content_filter" });
  return writeChatCompletionStream(response, { model: "gpt-test", text: ["A whole answer."] });
}
