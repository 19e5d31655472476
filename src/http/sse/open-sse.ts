import type { Response } from "express";
import { CREDENTIALS_REVOKED_MESSAGE } from "../../auth/credential-verdict.js";
import type { Services } from "../../services.js";
import { watchCredential } from "../credential-watch.js";
import { sseOptions } from "./sse-options.js";
import { SseWriter } from "./sse-writer.js";

/**
 * Start an SSE response for the authenticated request. Like a WebSocket, a stream outlives the check that let it
 * open: its credential is checked again every `WS_REAUTH_MS`, and a key revoked (by another process too) or a JWT
 * that expired ends it with an `error` event (`unauthorized`) instead of streaming the thread on forever. A check
 * that fails for another reason (database down) ends nothing.
 */
export function openSse(services: Pick<Services, "config" | "authenticator">, response: Response, headers?: Record<string, string>): SseWriter {
  const writer = new SseWriter(response, { ...sseOptions(services.config), ...(headers ? { headers } : {}) });
  const stop = watchCredential(services, response, () => {
    writer.send({ event: "error", data: { error: "unauthorized", message: CREDENTIALS_REVOKED_MESSAGE } });
    writer.end();
  });
  writer.onClose(stop);
  return writer;
}
