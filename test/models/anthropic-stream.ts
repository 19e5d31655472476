import type { ServerResponse } from "node:http";

/** A `tool_use` block of a streamed reply: its input JSON arrives in `inputPieces` (`input_json_delta`s). */
export interface AnthropicToolUse {
  id: string;
  name: string;
  inputPieces: string[];
}

/** What one streamed Messages API reply holds. */
export interface AnthropicReply {
  /** Text pieces of one text block (none: no text block). */
  text?: string[];
  toolUses?: AnthropicToolUse[];
  /** `end_turn` by default (`tool_use` when there are tool uses). */
  stopReason?: "end_turn" | "tool_use" | "max_tokens" | "stop_sequence" | "refusal";
  /** message_delta's final output token count (default: one per piece). */
  outputTokens?: number;
  /** An `error` event (e.g. `overloaded_error`) right after `message_start`, then the stream ends. */
  errorAfterStart?: string;
}

/** Anthropic's event stream of one reply, as the Messages API sends it (`stream: true`). */
export function writeAnthropicStream(response: ServerResponse, reply: AnthropicReply): void {
  response.writeHead(200, { "content-type": "text/event-stream" });
  const send = (event: string, data: unknown) => response.write(`event: ${event}\ndata: ${JSON.stringify({ type: event, ...(data as object) })}\n\n`);
  send("message_start", {
    message: { id: "msg_1", type: "message", role: "assistant", model: "claude-test", content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 12, output_tokens: 1 } },
  });
  if (reply.errorAfterStart !== undefined) {
    send("error", { error: { type: reply.errorAfterStart, message: "Overloaded" } });
    response.end();
    return;
  }
  send("ping", {});
  let index = 0;
  let pieces = 0;
  if (reply.text !== undefined) {
    send("content_block_start", { index, content_block: { type: "text", text: "" } });
    for (const text of reply.text) send("content_block_delta", { index, delta: { type: "text_delta", text } });
    send("content_block_stop", { index });
    pieces += reply.text.length;
    index += 1;
  }
  for (const tool of reply.toolUses ?? []) {
    send("content_block_start", { index, content_block: { type: "tool_use", id: tool.id, name: tool.name, input: {} } });
    for (const partial_json of tool.inputPieces) send("content_block_delta", { index, delta: { type: "input_json_delta", partial_json } });
    send("content_block_stop", { index });
    pieces += tool.inputPieces.length;
    index += 1;
  }
  const stopReason = reply.stopReason ?? (reply.toolUses?.length ? "tool_use" : "end_turn");
  send("message_delta", { delta: { stop_reason: stopReason, stop_sequence: null }, usage: { output_tokens: reply.outputTokens ?? pieces } });
  send("message_stop", {});
  response.end();
}
