import { isPendingApproval, type PendingInterrupt } from "../../events/thread-event.js";
import type { TranscriptMessage } from "../../transcript/transcript-message.js";

/** A message in LangGraph's serialised dict shape (`{type, id, content, …}`). */
export type MessageDict = Record<string, unknown> & { type: string; id: string };

type ToolCall = NonNullable<TranscriptMessage["tool_calls"]>[number];

const TYPE_BY_ROLE: Record<TranscriptMessage["role"], string> = { user: "human", assistant: "ai", tool: "tool", system: "system" };

/** A transcript message as LangGraph serialises messages inside `values` and `updates`. */
export function toMessageDict(message: TranscriptMessage): MessageDict {
  const dict: MessageDict = {
    type: TYPE_BY_ROLE[message.role],
    id: message.id,
    content: message.content,
    name: message.name ?? null,
    additional_kwargs: {},
    response_metadata: {},
  };
  if (message.role === "assistant") {
    dict.tool_calls = (message.tool_calls ?? []).map(toToolCall);
    dict.invalid_tool_calls = [];
  }
  if (message.role === "tool") {
    dict.tool_call_id = message.tool_call_id ?? "";
    // LangGraph's ToolMessage knows success and error: a rejected call's result is an error to the model.
    dict.status = message.status === "rejected" ? "error" : (message.status ?? "success");
  }
  return dict;
}

/**
 * A piece of an AI message as the `messages` stream mode sends it. Tool calls travel as `tool_call_chunks`
 * (args as JSON text, the way providers stream them) so a client concatenating chunks ends with the calls.
 */
export function aiChunkDict(id: string, content: string, toolCalls: readonly ToolCall[] = []): MessageDict {
  return {
    type: "AIMessageChunk",
    id,
    content,
    name: null,
    additional_kwargs: {},
    response_metadata: {},
    tool_calls: toolCalls.map(toToolCall),
    invalid_tool_calls: [],
    tool_call_chunks: toolCalls.map((call, index) => ({ id: call.id, name: call.name, args: JSON.stringify(call.args), index, type: "tool_call_chunk" })),
  };
}

/** A pending interrupt as LangGraph's `__interrupt__` entry (`{id, value}`, the value the graph interrupted with). */
export function toInterruptDict(pending: PendingInterrupt): { id: string; value: unknown } {
  if (!isPendingApproval(pending)) return { id: pending.id, value: pending.value };
  return { id: pending.id, value: { kind: "tool_approval", tool_call_id: pending.tool_call_id, name: pending.name, args: pending.args } };
}

function toToolCall(call: ToolCall): Record<string, unknown> {
  return { id: call.id, name: call.name, args: call.args, type: "tool_call" };
}
