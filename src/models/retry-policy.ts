import { parseRetryAfterMs } from "@langchain/core/utils/async_caller";
import { findOutboundRefusal } from "../outbound/guarded-fetch.js";
import { reportFailedAttempt } from "./attempt-observer.js";

/** A Retry-After longer than this is not waited out: the call fails over to the next model instead. */
export const MAX_RETRY_AFTER_MS = 60_000;

const NETWORK_CODES = new Set(["ECONNRESET", "ECONNREFUSED", "ETIMEDOUT", "EPIPE", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH", "UND_ERR_SOCKET", "UND_ERR_CONNECT_TIMEOUT", "UND_ERR_HEADERS_TIMEOUT"]);
const NETWORK_ERROR_NAMES = new Set(["APIConnectionError", "APIConnectionTimeoutError", "TimeoutError", "FetchError"]);

/**
 * LangChain's AsyncCaller (p-retry: exponential backoff from 1 s, doubled per attempt, with 1–2× jitter) asks this
 * after every failed provider call: return to retry, throw to stop. Retried: 408, 409, 429 (waiting at least its
 * Retry-After / retry-after-ms, which p-retry reads from `retryAfterMs`), 5xx and network errors. Not retried:
 * cancellation, other 4xx (bad key, bad request), quota exhaustion, a Retry-After beyond a minute, and a
 * destination refused by the outbound policy.
 * Unlike LangChain's default it also retries a 429 that carries no Retry-After.
 */
export function retryModelCall(error: Error): void {
  if (isCancellation(error)) throw error;
  try {
    decideRetry(error);
  } finally {
    reportFailedAttempt(error);
  }
}

function decideRetry(error: Error): void {
  // A destination the outbound policy refuses stays refused; retrying would only wait for the same answer.
  if (findOutboundRefusal(error)) throw error;
  const status = statusOf(error);
  if (status === 429) {
    if (codeOf(error) === "insufficient_quota") throw error;
    const retryAfterMs = retryAfterOf(error);
    if (retryAfterMs !== undefined) {
      if (retryAfterMs > MAX_RETRY_AFTER_MS) throw error;
      (error as { retryAfterMs?: number }).retryAfterMs = retryAfterMs;
    }
    return;
  }
  if (status === 408 || status === 409 || (status !== undefined && status >= 500)) return;
  if (status !== undefined) throw error;
  if (isNetworkError(error)) return;
  throw error;
}

/** The HTTP status of a provider error, wherever the SDK put it. */
export function statusOf(error: object): number | undefined {
  const candidates = [(error as { status?: unknown }).status, (error as { statusCode?: unknown }).statusCode, (error as { response?: { status?: unknown } }).response?.status];
  const found = candidates.find((value) => typeof value === "number");
  return typeof found === "number" ? found : undefined;
}

function retryAfterOf(error: object): number | undefined {
  const milliseconds = Number(headerOf(error, "retry-after-ms"));
  if (Number.isFinite(milliseconds) && milliseconds >= 0 && headerOf(error, "retry-after-ms") !== undefined) return milliseconds;
  return parseRetryAfterMs(headerOf(error, "retry-after"));
}

function headerOf(error: object, name: string): string | undefined {
  const headers = (error as { headers?: unknown }).headers ?? (error as { response?: { headers?: unknown } }).response?.headers;
  if (!headers || typeof headers !== "object") return undefined;
  if (typeof (headers as Headers).get === "function") return (headers as Headers).get(name) ?? undefined;
  const value = (headers as Record<string, unknown>)[name] ?? (headers as Record<string, unknown>)[name.toLowerCase()];
  return typeof value === "string" ? value : undefined;
}

function codeOf(error: object): string | undefined {
  const code = (error as { code?: unknown }).code ?? (error as { error?: { code?: unknown } }).error?.code;
  return typeof code === "string" ? code : undefined;
}

function isCancellation(error: object): boolean {
  const name = (error as { name?: unknown }).name;
  return name === "AbortError" || name === "APIUserAbortError" || (error as { constructor?: { name?: string } }).constructor?.name === "APIUserAbortError";
}

function isNetworkError(error: object): boolean {
  const code = codeOf(error) ?? codeOf((error as { cause?: object }).cause ?? {});
  if (code && NETWORK_CODES.has(code)) return true;
  const name = (error as { constructor?: { name?: string } }).constructor?.name ?? "";
  if (NETWORK_ERROR_NAMES.has(name) || NETWORK_ERROR_NAMES.has(String((error as { name?: unknown }).name))) return true;
  const message = (error as { message?: unknown }).message;
  return typeof message === "string" && /fetch failed|socket hang up|network|connection error/i.test(message);
}
