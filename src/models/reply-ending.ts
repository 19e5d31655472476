import type { AIMessage } from "@langchain/core/messages";

/**
 * OpenAI-compatible finish reasons of a reply stopped before it was done: its token limit (`length`), and DeepSeek's
 * `insufficient_system_resource` (the service ran out of capacity mid-reply and ended the stream as if finished).
 */
const CUT_OFF_FINISH_REASONS: ReadonlySet<unknown> = new Set(["length", "insufficient_system_resource"]);

/**
 * How a model's reply ended when it did not finish of its own accord: `truncated`, cut off at its token limit
 * (OpenAI-compatible `finish_reason: "length"`, Anthropic `stop_reason: "max_tokens"`, Ollama `done_reason: "length"`)
 * or by the provider (DeepSeek's `insufficient_system_resource`), or `refused` (Anthropic's `refusal`, OpenAI's
 * `content_filter`); undefined for a reply that ended normally.
 * @langchain/anthropic's stream puts `message_delta`'s stop reason in `additional_kwargs`, its invoke in
 * `response_metadata`: both are read.
 */
export function replyEnding(reply: AIMessage): "truncated" | "refused" | undefined {
  const metadata = reply.response_metadata as Record<string, unknown> | undefined;
  const stopReason = metadata?.stop_reason ?? reply.additional_kwargs.stop_reason;
  if (CUT_OFF_FINISH_REASONS.has(metadata?.finish_reason) || stopReason === "max_tokens" || metadata?.done_reason === "length") return "truncated";
  if (stopReason === "refusal" || metadata?.finish_reason === "content_filter") return "refused";
  return undefined;
}

/** What cut a `truncated` reply off, in words for the model: its token limit, or the provider. */
export function cutOffBy(reply: AIMessage): string {
  const finishReason = (reply.response_metadata as Record<string, unknown> | undefined)?.finish_reason;
  return finishReason === "insufficient_system_resource" ? "by the provider (insufficient_system_resource: it ran out of capacity)" : "at its token limit (max_tokens)";
}
