import { AIMessage, type BaseMessage, SystemMessage, ToolMessage } from "@langchain/core/messages";
import { z } from "zod";
import { plainText } from "./message-text.js";

/**
 * What was folded out of the working context, kept in the graph state (`summary`) and shown to the model in
 * its system message. The full messages stay in the transcript (searchable, paginated).
 */
export interface RunningSummary {
  /** The summary itself: plain text, for the model and for people (`state.get`, the web timeline). */
  text: string;
  /** How many messages have been folded into it so far. */
  message_count: number;
  /** The id of the newest message folded into it. */
  through_message_id: string | null;
}

/** The shape a running summary must have (a state edit's `summary` is checked against it). */
export const runningSummarySchema = z.object({
  text: z.string(),
  message_count: z.number().int().nonnegative(),
  through_message_id: z.string().nullable(),
});

/** The heading the model reads before the summary. */
export const SUMMARY_HEADING = "Summary of the earlier conversation (older messages were folded into it):";

/** The system message text: the assistant's system context, then the running summary. */
export function systemText(systemPrompt: string | undefined, summary: RunningSummary | undefined): string | undefined {
  const parts = [systemPrompt, summary && summary.text.length > 0 ? `${SUMMARY_HEADING}\n${summary.text}` : undefined].filter((part): part is string => !!part);
  return parts.length > 0 ? parts.join("\n\n") : undefined;
}

/** The prompt the model receives: one system message (system context + summary), then the working messages. */
export function assemblePrompt(systemPrompt: string | undefined, summary: RunningSummary | undefined, messages: readonly BaseMessage[]): BaseMessage[] {
  const text = systemText(systemPrompt, summary);
  return text === undefined ? [...messages] : [new SystemMessage(text), ...messages];
}

/** One message as a line of a summary or of a summarisation prompt: who said what, tool calls spelled out. */
export function describeMessage(message: BaseMessage): string {
  const text = plainText(message).replace(/\s+/g, " ").trim();
  if (AIMessage.isInstance(message) && (message.tool_calls?.length ?? 0) > 0) {
    const calls = (message.tool_calls ?? []).map((call) => `${call.name} ${JSON.stringify(call.args)}`).join("; ");
    return text.length > 0 ? `assistant: ${text} [called ${calls}]` : `assistant called ${calls}`;
  }
  if (ToolMessage.isInstance(message)) return `tool ${message.name ?? "result"}${message.status === "error" ? " (error)" : ""}: ${text}`;
  const role = ROLE_LABEL[message.getType()] ?? message.getType();
  return message.name ? `${role} (${message.name}): ${text}` : `${role}: ${text}`;
}

const ROLE_LABEL: Record<string, string> = { human: "user", ai: "assistant", system: "system" };
