import { describe, expect, it } from "vitest";
import { MAX_RETRY_AFTER_MS, retryModelCall } from "./retry-policy.js";

function httpError(status: number, headers: Record<string, string> = {}, extra: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(`${status} status`), { status, headers: new Headers(headers), ...extra });
}

describe("retryModelCall", () => {
  it("retries 429, 408, 409 and 5xx", () => {
    for (const status of [429, 408, 409, 500, 502, 503, 529]) expect(() => retryModelCall(httpError(status))).not.toThrow();
  });

  it("stops on other 4xx, cancellations and quota exhaustion", () => {
    for (const status of [400, 401, 403, 404, 422]) expect(() => retryModelCall(httpError(status))).toThrow(`${status} status`);
    expect(() => retryModelCall(Object.assign(new Error("Request was aborted."), { name: "AbortError" }))).toThrow();
    expect(() => retryModelCall(httpError(429, {}, { code: "insufficient_quota" }))).toThrow();
  });

  it("hands Retry-After (seconds, date or retry-after-ms) to the backoff", () => {
    const seconds = httpError(429, { "retry-after": "3" });
    retryModelCall(seconds);
    expect((seconds as { retryAfterMs?: number }).retryAfterMs).toBe(3000);
    const milliseconds = httpError(429, { "retry-after-ms": "250", "retry-after": "1" });
    retryModelCall(milliseconds);
    expect((milliseconds as { retryAfterMs?: number }).retryAfterMs).toBe(250);
    const date = httpError(429, { "retry-after": new Date(Date.now() + 5_000).toUTCString() });
    retryModelCall(date);
    expect((date as { retryAfterMs?: number }).retryAfterMs).toBeGreaterThan(3_000);
  });

  it("does not wait out a Retry-After longer than a minute (the fallback model answers instead)", () => {
    expect(() => retryModelCall(httpError(429, { "retry-after": String(MAX_RETRY_AFTER_MS / 1000 + 1) }))).toThrow();
  });

  it("retries network failures, not programming errors", () => {
    expect(() => retryModelCall(Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:9"), { code: "ECONNREFUSED" }))).not.toThrow();
    expect(() => retryModelCall(new TypeError("fetch failed", { cause: Object.assign(new Error("reset"), { code: "ECONNRESET" }) }))).not.toThrow();
    class APIConnectionError extends Error {}
    expect(() => retryModelCall(new APIConnectionError("Connection error."))).not.toThrow();
    expect(() => retryModelCall(new TypeError("Cannot read properties of undefined"))).toThrow();
  });
});
