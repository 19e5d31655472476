import type { Phrase } from "../i18n/translator.js";
import { RpcError, errorMessage } from "../protocol/rpc-error.js";

/** Longest wait between two tries to load the page's data. */
const MAX_RETRY_MS = 30_000;
/**
 * Longest wait a 429 may ask for: the server's rate limit is per minute, so its `Retry-After` is up to 60 s, and
 * trying sooner only meets another 429; more than two minutes would be a server's mistake, not worth the wait.
 */
const MAX_RATE_LIMIT_WAIT_MS = 120_000;

/** What the page says when it could not load its data, and when it tries again by itself. */
export interface LoadFailure {
  message: Phrase;
  retryInMs: number;
}

/**
 * The page's words for a failed load (the server's info or the assistants; sign-in refusals are handled before)
 * and the wait before the next try: what a 429 asks for (up to 2 min), else 1 s doubling per failure in a row up to 30 s. The
 * server's own message, in English, is quoted inside translated framing.
 * @example loadFailure(new RpcError("rate_limited", "Too many requests", { retry_after_ms: 4000 }), 1).retryInMs; // 4000
 */
export function loadFailure(error: unknown, failuresInARow: number): LoadFailure {
  if (error instanceof RpcError && error.code === "rate_limited") {
    const asked = (error.details as { retry_after_ms?: unknown } | undefined)?.retry_after_ms;
    const retryInMs = Math.min(MAX_RATE_LIMIT_WAIT_MS, Math.max(1000, typeof asked === "number" ? asked : 1000));
    return { retryInMs, message: ({ t }) => t("app.rateLimited", { seconds: seconds(retryInMs) }) };
  }
  const retryInMs = Math.min(MAX_RETRY_MS, 1000 * 2 ** Math.max(0, failuresInARow - 1));
  const reason = error instanceof RpcError ? error.message : errorMessage(error);
  return { retryInMs, message: ({ t }) => t("app.unreachable", { error: reason, seconds: seconds(retryInMs) }) };
}

function seconds(ms: number): string {
  return String(Math.ceil(ms / 1000));
}
