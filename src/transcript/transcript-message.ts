import { AIMessage, type BaseMessage, ToolMessage } from "@langchain/core/messages";
import { editedArgsOf, wasRejected } from "../agent/run-tool-calls.js";
import { replyEnding } from "../models/reply-ending.js";

/** A message as the user saw it: one row of the append-only transcript. */
export interface TranscriptMessage {
  id: string;
  seq: number;
  role: "user" | "assistant" | "tool" | "system";
  content: string;
  tool_calls?: { id: string; name: string; args: Record<string, unknown> }[];
  tool_call_id?: string;
  name?: string;
  /**
   * On a tool result: `success`, `error`, or `rejected` (a human rejected the call: an error for the model). On an
   * assistant's reply that did not end of its own accord: `truncated` (cut off at its token limit) or `refused`.
   */
  status?: string;
  /** On a tool result: the arguments the tool ran with when a human edited the model's before approving the call. */
  args?: Record<string, unknown>;
  /**
   * On a tool result: when its tool started (the call's `tool.started`), on the database's clock like `created_at`.
   * Absent when no start was seen: a call that never ran, a graph that announces no starts, older rows.
   */
  started_at?: string;
  run_id: string | null;
  created_at: string;
  /** Set when a state edit replaced the message under its id (new content, same seq). */
  edited_at?: string;
}

/** A message about to be appended (seq and timestamps are assigned by the store). */
export type NewTranscriptMessage = Omit<TranscriptMessage, "seq" | "created_at" | "run_id" | "edited_at" | "started_at"> & {
  /**
   * On a tool result: how long before this append its tool started, on the executing instance's monotonic clock.
   * The store turns it into `started_at` on the database's clock, the clock of `created_at`, so the duration a
   * client reads from the two is what the instance measured, whatever the clocks of instance and database say.
   */
  started_ms_ago?: number;
};

const ROLE_BY_TYPE: Record<string, TranscriptMessage["role"]> = {
  human: "user",
  ai: "assistant",
  tool: "tool",
  system: "system",
};

/** Convert a LangChain message to the transcript shape. */
export function toNewTranscriptMessage(message: BaseMessage, fallbackId: string): NewTranscriptMessage {
  const entry: NewTranscriptMessage = {
    id: message.id ?? fallbackId,
    role: ROLE_BY_TYPE[message.getType()] ?? "system",
    content: message.text,
  };
  if (AIMessage.isInstance(message) && (message.tool_calls?.length ?? 0) > 0) {
    entry.tool_calls = (message.tool_calls ?? []).map((call) => ({ id: call.id ?? "", name: call.name, args: call.args }));
  }
  const ending = AIMessage.isInstance(message) ? replyEnding(message) : undefined;
  if (ending) entry.status = ending;
  if (ToolMessage.isInstance(message)) {
    entry.tool_call_id = message.tool_call_id;
    entry.status = wasRejected(message) ? "rejected" : (message.status ?? "success");
    const edited = editedArgsOf(message);
    if (edited) entry.args = edited;
  }
  if (message.name) entry.name = message.name;
  return entry;
}
