import type { AIMessage } from "@langchain/core/messages";

/**
 * How a model's reply ended when it did not finish of its own accord: `truncated`, cut off at its token limit
 * (OpenAI-compatible `finish_reason: "length"`, Anthropic `stop_reason: "max_tokens"`, Ollama `done_reason: "length"`),
 * or `refused` (Anthropic's `refusal`, OpenAI's `content_filter`); undefined for a reply that ended normally.
 * @langchain/anthropic's stream puts `message_delta`'s stop reason in `additional_kwargs`, its invoke in
 * `response_metadata`: both are read.
 */
export function replyEnding(reply: AIMessage): "truncated" | "refused" | undefined {
  const metadata = reply.response_metadata as Record<string, unknown> | undefined;
  const stopReason = metadata?.stop_reason ?? reply.additional_kwargs.stop_reason;
  if (metadata?.finish_reason === "length" || stopReason === "max_tokens" || metadata?.done_reason === "length") return "truncated";
  if (stopReason === "refusal" || metadata?.finish_reason === "content_filter") return "refused";
  return undefined;
}
