import { createHmac, timingSafeEqual } from "node:crypto";

/** Header carrying `sha256=<hex>` of HMAC-SHA256(secret, `${timestamp}.${body}`). */
export const SIGNATURE_HEADER = "x-threadline-signature";
/** Header carrying the signing time in Unix seconds; it is part of the signed content. */
export const TIMESTAMP_HEADER = "x-threadline-timestamp";

/** The signature header value for a body sent at `timestamp` (Unix seconds). */
export function signWebhook(options: { secret: string; body: string; timestamp: number }): string {
  const digest = createHmac("sha256", options.secret).update(`${options.timestamp}.${options.body}`).digest("hex");
  return `sha256=${digest}`;
}

/**
 * Check a received webhook: the signature matches the raw body and timestamp, and the timestamp is recent
 * (a replayed request carries an old one, and changing it breaks the signature).
 * @example verifyWebhookSignature({ secret, body: rawBody, timestamp: req.headers["x-threadline-timestamp"], signature: req.headers["x-threadline-signature"] })
 */
export function verifyWebhookSignature(options: {
  secret: string;
  body: string;
  timestamp: string | number | undefined;
  signature: string | undefined;
  /** Largest accepted age (or clock skew) in seconds. @default 300 */
  toleranceSeconds?: number;
  /** @default Date.now() */
  nowMs?: number;
}): boolean {
  const timestamp = Number(options.timestamp);
  if (!Number.isInteger(timestamp) || options.signature === undefined) return false;
  const ageSeconds = Math.abs((options.nowMs ?? Date.now()) / 1000 - timestamp);
  if (ageSeconds > (options.toleranceSeconds ?? 300)) return false;
  const expected = Buffer.from(signWebhook({ secret: options.secret, body: options.body, timestamp }));
  const received = Buffer.from(options.signature);
  return expected.length === received.length && timingSafeEqual(expected, received);
}
