import type { CallbackManagerForLLMRun } from "@langchain/core/callbacks/manager";
import { BaseChatModel, type BaseChatModelParams } from "@langchain/core/language_models/chat_models";
import { AIMessage, AIMessageChunk, type BaseMessage, ToolMessage } from "@langchain/core/messages";
import { ChatGenerationChunk, type ChatResult } from "@langchain/core/outputs";
import { RunnableLambda } from "@langchain/core/runnables";
import { randomUUID } from "node:crypto";
import { sampleFromJsonSchema } from "./sample-from-json-schema.js";

/** Options of the scripted fake model. */
export interface FakeChatModelOptions extends BaseChatModelParams {
  /** Milliseconds to wait between streamed chunks, so tests can hold a run open. @default 0 */
  chunkDelayMs?: number;
  /** Pad plain replies (by repeating the echoed text) to at least this many characters. @default 0 */
  replyMinChars?: number;
}

/**
 * A deterministic, scripted chat model for tests and benchmarks (`MODEL=fake`).
 * - plain text → `You said: <text>`, streamed in at least two chunks;
 * - `/tool <name> <json-args>` → a call of that tool; after its result → `Tool <name> returned: <output>`;
 * - `/tools [{"name", "args"}, …]` → several calls in one reply (parallel tool calls);
 * - `/fail <message>` → the model call throws, like a provider outage.
 */
export class FakeChatModel extends BaseChatModel {
  private readonly chunkDelayMs: number;
  private readonly replyMinChars: number;

  constructor(options: FakeChatModelOptions = {}) {
    super(options);
    this.chunkDelayMs = options.chunkDelayMs ?? 0;
    this.replyMinChars = options.replyMinChars ?? 0;
  }

  override _llmType(): string {
    return "threadline-fake";
  }

  /** Tools are accepted and ignored: the script decides when to call one. */
  override bindTools(): this {
    return this;
  }

  override async _generate(messages: BaseMessage[], options: this["ParsedCallOptions"]): Promise<ChatResult> {
    const reply = scriptReply(messages, this.replyMinChars);
    await delay(this.chunkDelayMs, options.signal);
    const message = new AIMessage({ id: reply.id, content: reply.text, tool_calls: reply.tool_calls, usage_metadata: reply.usage_metadata });
    return { generations: [{ text: reply.text, message }] };
  }

  override async *_streamResponseChunks(
    messages: BaseMessage[],
    options: this["ParsedCallOptions"],
    runManager?: CallbackManagerForLLMRun,
  ): AsyncGenerator<ChatGenerationChunk> {
    const reply = scriptReply(messages, this.replyMinChars);
    const id = reply.id;
    if (reply.tool_calls.length > 0) {
      await delay(this.chunkDelayMs, options.signal);
      const toolCallChunks = reply.tool_calls.map((call, index) => ({
        name: call.name,
        args: JSON.stringify(call.args),
        id: call.id,
        index,
        type: "tool_call_chunk" as const,
      }));
      yield new ChatGenerationChunk({
        text: "",
        message: new AIMessageChunk({ id, content: "", tool_call_chunks: toolCallChunks, usage_metadata: reply.usage_metadata }),
      });
      return;
    }
    const pieces = splitIntoChunks(reply.text);
    for (const [index, piece] of pieces.entries()) {
      await delay(this.chunkDelayMs, options.signal);
      const last = index === pieces.length - 1;
      const message = new AIMessageChunk({ id, content: piece, usage_metadata: last ? reply.usage_metadata : undefined });
      const chunk = new ChatGenerationChunk({ text: piece, message });
      yield chunk;
      // Passing the chunk keeps its id, so streamed deltas and the final message share one message id.
      await runManager?.handleLLMNewToken(piece, undefined, undefined, undefined, undefined, { chunk });
    }
  }

  /** Structured output: a deterministic object shaped by the JSON schema, text fields carrying the reply. */
  override withStructuredOutput(schema: unknown): ReturnType<BaseChatModel["withStructuredOutput"]> {
    return RunnableLambda.from((input: unknown) => {
      const messages = Array.isArray(input) ? (input as BaseMessage[]) : [];
      return sampleFromJsonSchema(schema, scriptReply(messages, this.replyMinChars).text);
    }) as unknown as ReturnType<BaseChatModel["withStructuredOutput"]>;
  }
}

interface ScriptedReply {
  id: string;
  text: string;
  tool_calls: { id: string; name: string; args: Record<string, unknown>; type: "tool_call" }[];
  usage_metadata: { input_tokens: number; output_tokens: number; total_tokens: number };
}

function scriptReply(messages: BaseMessage[], replyMinChars = 0): ScriptedReply {
  const last = messages.at(-1);
  const inputTokens = estimateTokens(messages.map((message) => message.text).join(" "));
  const finish = (text: string, toolCalls: ScriptedReply["tool_calls"] = []): ScriptedReply => {
    const outputTokens = estimateTokens(text) + toolCalls.length * 8;
    return {
      id: `fake-${randomUUID()}`,
      text,
      tool_calls: toolCalls,
      usage_metadata: { input_tokens: inputTokens, output_tokens: outputTokens, total_tokens: inputTokens + outputTokens },
    };
  };
  if (last && ToolMessage.isInstance(last)) {
    return finish(`Tool ${last.name ?? "tool"} returned: ${last.text}`);
  }
  const text = lastUserText(messages);
  if (text.startsWith("/fail")) {
    throw new Error(text.slice("/fail".length).trim() || "scripted model failure");
  }
  const toolCalls = parseToolsCommand(text) ?? [parseToolCommand(text)].filter((call) => call !== undefined);
  if (toolCalls.length > 0) return finish("", toolCalls.map((call) => ({ id: `call_${randomUUID().slice(0, 8)}`, type: "tool_call" as const, ...call })));
  return finish(padReply(`You said: ${text}`, text, replyMinChars));
}

function padReply(reply: string, echo: string, minChars: number): string {
  let padded = reply;
  while (padded.length < minChars && echo.length > 0) padded += ` ${echo}`;
  return padded;
}

function lastUserText(messages: BaseMessage[]): string {
  for (let index = messages.length - 1; index >= 0; index -= 1) {
    const message = messages[index];
    if (message?.getType() === "human") return message.text;
  }
  return "";
}

/** `/tools [{"name": …, "args": {…}}, …]`: several calls in one reply; anything else is not this command. */
function parseToolsCommand(text: string): { name: string; args: Record<string, unknown> }[] | undefined {
  const match = /^\/tools\s+([\s\S]*)$/.exec(text.trim());
  if (!match?.[1]) return undefined;
  try {
    const calls: unknown = JSON.parse(match[1]);
    if (!Array.isArray(calls) || calls.length === 0) return undefined;
    const valid = calls.every((call) => {
      const { name, args } = (call ?? {}) as { name?: unknown; args?: unknown };
      return typeof name === "string" && args !== null && typeof args === "object" && !Array.isArray(args);
    });
    return valid ? (calls as { name: string; args: Record<string, unknown> }[]) : undefined;
  } catch {
    return undefined;
  }
}

/** `/tool <name> <json-args>`; args that are not a JSON object make it plain text. */
function parseToolCommand(text: string): { name: string; args: Record<string, unknown> } | undefined {
  const match = /^\/tool\s+(\S+)\s*([\s\S]*)$/.exec(text.trim());
  if (!match?.[1]) return undefined;
  const rawArgs = match[2]?.trim() || "{}";
  try {
    const args: unknown = JSON.parse(rawArgs);
    if (args === null || typeof args !== "object" || Array.isArray(args)) return undefined;
    return { name: match[1], args: args as Record<string, unknown> };
  } catch {
    return undefined;
  }
}

/** Split into about four pieces (at least two), on character boundaries so CJK text splits too. */
function splitIntoChunks(text: string): string[] {
  const characters = Array.from(text);
  if (characters.length < 2) return [text, ""];
  const size = Math.max(1, Math.ceil(characters.length / 4));
  const pieces: string[] = [];
  for (let start = 0; start < characters.length; start += size) pieces.push(characters.slice(start, start + size).join(""));
  return pieces;
}

function estimateTokens(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}

function delay(milliseconds: number, signal?: AbortSignal): Promise<void> {
  signal?.throwIfAborted();
  if (milliseconds <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, milliseconds);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason instanceof Error ? signal.reason : new Error("aborted"));
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
