import { AIMessage, AIMessageChunk, type BaseMessage } from "@langchain/core/messages";
import { cutOffBy, replyEnding } from "../models/reply-ending.js";
import { randomUUID } from "node:crypto";
import { strictToolCalls } from "../models/strict-tool-calls.js";

/** `response_metadata` key of a reply: the ids of its tool calls that must not run, each with why. */
export const UNRUNNABLE_CALLS_KEY = "threadline_unrunnable_calls";

type ToolCall = NonNullable<AIMessage["tool_calls"]>[number];

/** Longest raw argument text quoted back to the model. */
const QUOTED_ARGS_CHARS = 500;

/**
 * A model's reply made safe to act on and to send back. Every tool call gets an id of its own (providers send
 * empty, missing or repeated ids: decisions, results and the transcript are keyed by it, so two calls sharing one
 * mixed up an approval); calls LangChain could not parse (`invalid_tool_calls`: arguments that are not JSON) become
 * calls that are answered with an error instead of vanishing (the provider refuses a conversation whose assistant
 * message names calls without results); and a reply cut off (at its token limit, or by the provider) does not run the
 * calls it was writing (LangChain repairs truncated JSON: `1000000*3` arrived as `100`), nor does a call whose argument
 * text as sent is not JSON (`strictToolCalls`: cut off under another finish reason). Calls that must not run are listed
 * under `response_metadata[UNRUNNABLE_CALLS_KEY]`; the tools node answers them with the reason.
 */
export function normalizeToolCalls(reply: BaseMessage): BaseMessage {
  if (!AIMessage.isInstance(reply) && !AIMessageChunk.isInstance(reply)) return reply;
  // A reply aggregated from its stream (LangGraph streams the call) still has the argument text as sent.
  const { tool_calls: valid, invalid_tool_calls: invalid } = AIMessageChunk.isInstance(reply)
    ? strictToolCalls(reply)
    : { tool_calls: reply.tool_calls ?? [], invalid_tool_calls: reply.invalid_tool_calls ?? [] };
  if (valid.length === 0 && invalid.length === 0) return reply;
  const unrunnable: Record<string, string> = {};
  const seen = new Set<string>();
  const uniqueId = (id: string | undefined) => {
    const kept = id && id.length > 0 && !seen.has(id) ? id : `call_${randomUUID().replaceAll("-", "")}`;
    seen.add(kept);
    return kept;
  };
  const calls: ToolCall[] = valid.map((call) => ({ ...call, id: uniqueId(call.id) }));
  for (const call of invalid) {
    const id = uniqueId(call.id);
    // LangChain also files a call without an id as invalid ("Malformed args."), however good its arguments.
    const args = jsonObject(call.args);
    calls.push({ type: "tool_call", id, name: call.name ?? "unknown", args: args ?? {} });
    if (args && call.name) continue;
    const raw = (call.args ?? "").slice(0, QUOTED_ARGS_CHARS);
    unrunnable[id] = args
      ? "this call names no tool. Call one of the tools by its name."
      : `the arguments of this call are not valid JSON (${call.error ?? "unparsable"}): ${raw}. Call the tool again with a JSON object of arguments.`;
  }
  if (replyEnding(reply) === "truncated") {
    // The better reason for arguments that are not JSON, too.
    for (const call of calls) {
      unrunnable[call.id ?? ""] = `the reply was cut off ${cutOffBy(reply)} while this call was being written, so its arguments may be incomplete; it did not run.`;
    }
  }
  const unchanged = invalid.length === 0 && Object.keys(unrunnable).length === 0 && calls.every((call, index) => call.id === valid[index]?.id);
  if (unchanged) return reply;
  // The raw calls kept in additional_kwargs would be sent back instead of these; drop them.
  const additional = { ...reply.additional_kwargs };
  delete additional.tool_calls;
  return new AIMessage({
    id: reply.id,
    content: reply.content,
    name: reply.name,
    tool_calls: calls,
    invalid_tool_calls: [],
    additional_kwargs: additional,
    response_metadata: Object.keys(unrunnable).length > 0 ? { ...reply.response_metadata, [UNRUNNABLE_CALLS_KEY]: unrunnable } : reply.response_metadata,
    usage_metadata: reply.usage_metadata,
  });
}

/** The text as a JSON object, or undefined (not JSON, or not an object). */
function jsonObject(text: string | undefined): Record<string, unknown> | undefined {
  if (!text) return text === "" ? {} : undefined;
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Why a call must not run, when its reply says so. */
export function unrunnableReason(message: AIMessage, toolCallId: string): string | undefined {
  const listed = (message.response_metadata as Record<string, unknown> | undefined)?.[UNRUNNABLE_CALLS_KEY];
  return listed && typeof listed === "object" ? (listed as Record<string, string>)[toolCallId] : undefined;
}

