import type { Config } from "../../config.js";
import type { SseWriterOptions } from "./sse-writer.js";

/**
 * Keep-alive comments at most every 10 s: LangGraph Platform sends one every ~5 s and the SDK's idle detector
 * allows three intervals (capped at 30 s). A smaller `WS_HEARTBEAT_MS` also shortens SSE keep-alives, and the
 * WebSocket send-buffer limit bounds what a slow SSE reader may leave unsent.
 */
export function sseOptions(config: Pick<Config, "WS_HEARTBEAT_MS" | "WS_MAX_BUFFERED_BYTES">): SseWriterOptions {
  return { keepAliveMs: Math.min(config.WS_HEARTBEAT_MS, 10_000), maxBufferedBytes: config.WS_MAX_BUFFERED_BYTES };
}
