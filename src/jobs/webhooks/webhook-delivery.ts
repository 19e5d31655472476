import { findOutboundRefusal } from "../../outbound/guarded-fetch.js";
import { SIGNATURE_HEADER, signWebhook, TIMESTAMP_HEADER } from "./webhook-signature.js";
import { isFetchBadPort } from "./webhook-url.js";

/** The result of one delivery attempt. */
export interface DeliveryResult {
  outcome: "delivered" | "retryable" | "rejected";
  statusCode: number | null;
  error: string | null;
  durationMs: number;
}

/** One POST of a webhook body. */
export interface DeliveryRequest {
  url: string;
  body: string;
  /** Signs the body when set; unsigned deliveries carry no signature header. */
  secret: string | undefined;
  deliveryId: string;
  attempt: number;
  timeoutMs: number;
  /** Unix seconds used for the signature. @default now */
  timestamp?: number;
  /** The fetch that connects (the outbound-guarded one in the service). @default globalThis.fetch */
  fetch?: typeof fetch;
}

/** Statuses worth retrying: the receiver may recover. Other 3xx/4xx answers will not change on a retry. */
function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 425 || status === 429 || status >= 500;
}

/** POST a webhook once: signed, time-limited, redirects not followed (a redirect could point anywhere). */
export async function deliverWebhook(request: DeliveryRequest): Promise<DeliveryResult> {
  const timestamp = request.timestamp ?? Math.floor(Date.now() / 1000);
  const headers: Record<string, string> = {
    "content-type": "application/json",
    "user-agent": "Threadline-Webhook/1",
    [TIMESTAMP_HEADER]: String(timestamp),
    "x-threadline-delivery": request.deliveryId,
    "x-threadline-attempt": String(request.attempt),
  };
  if (request.secret) headers[SIGNATURE_HEADER] = signWebhook({ secret: request.secret, body: request.body, timestamp });
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  // fetch() would refuse the port on every attempt ("bad port"): one queued before such URLs were refused gives up now.
  if (isFetchBadPort(request.url)) return { outcome: "rejected", statusCode: null, error: "fetch() refuses the URL's port (bad port)", durationMs: 0 };
  try {
    const send = request.fetch ?? fetch;
    const response = await send(request.url, { method: "POST", headers, body: request.body, redirect: "manual", signal: AbortSignal.timeout(request.timeoutMs) });
    // Release the connection; the receiver's answer body is not used.
    await response.body?.cancel().catch(() => undefined);
    if (response.status >= 200 && response.status < 300) return { outcome: "delivered", statusCode: response.status, error: null, durationMs: elapsed() };
    const outcome = isRetryableStatus(response.status) ? "retryable" : "rejected";
    return { outcome, statusCode: response.status, error: `HTTP ${response.status}`, durationMs: elapsed() };
  } catch (error) {
    // A refused destination stays refused: retrying would only repeat the refusal.
    const refusal = findOutboundRefusal(error);
    if (refusal) return { outcome: "rejected", statusCode: null, error: refusal.message, durationMs: elapsed() };
    const message = error instanceof Error ? (error.name === "TimeoutError" ? `timed out after ${request.timeoutMs} ms` : describe(error)) : String(error);
    return { outcome: "retryable", statusCode: null, error: message, durationMs: elapsed() };
  }
}

function describe(error: Error): string {
  const cause = (error as { cause?: unknown }).cause;
  return cause instanceof Error ? `${error.message}: ${cause.message}` : error.message;
}
