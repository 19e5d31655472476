import OpenAI from "openai";

/** An error body as OpenAI's SDK reads it: the words are in `error.message`. */
interface OpenAiErrorBody {
  error: { message: string; type?: unknown; code?: unknown; param?: unknown };
}

/**
 * The error body of an OpenAI-compatible server in the shape OpenAI's SDK reads (`{error: {message}}`). The SDK
 * keeps only `body.error`, so servers that answer otherwise lost every word and the user saw "400 status code (no
 * body)": vLLM (`{"object": "error", "message": …}`), FastAPI-based proxies (`{"detail": …}`), others (`{"message":
 * …}`). Bodies OpenAI's way, and anything without words, pass through unchanged.
 */
export function toOpenAiErrorBody(body: unknown): unknown {
  if (typeof body !== "object" || body === null || Array.isArray(body) || "error" in body) return body;
  const record = body as Record<string, unknown>;
  const words = wordsOf(record.message) ?? wordsOf(record.detail);
  if (words === undefined) return body;
  return { error: { message: words, type: record.type, code: record.code, param: record.param } } satisfies OpenAiErrorBody;
}

/** A message as text: strings as they are, FastAPI's validation lists and other JSON as JSON. */
function wordsOf(value: unknown): string | undefined {
  if (typeof value === "string") return value.length > 0 ? value : undefined;
  if (value === undefined || value === null) return undefined;
  return JSON.stringify(value);
}

let installed = false;

/**
 * Make OpenAI's SDK (the one `@langchain/openai` drives) read those bodies too: its client builds every status error
 * in `makeStatusError`, which is patched once, process-wide, to pass the body through `toOpenAiErrorBody`. No
 * request changes: only the words a failure carries (then scrubbed of keys like any provider message).
 */
export function readOpenAiCompatibleErrorBodies(): void {
  if (installed) return;
  installed = true;
  // The SDK's (status, error body, message, headers), called with each client as `this`.
  type MakeStatusError = (this: unknown, ...args: [number, unknown, string | undefined, Headers]) => unknown;
  const prototype = OpenAI.prototype as unknown as { makeStatusError: MakeStatusError };
  const original = prototype.makeStatusError;
  prototype.makeStatusError = function (this: unknown, ...[status, error, message, headers]: Parameters<MakeStatusError>) {
    return original.call(this, status, toOpenAiErrorBody(error), message, headers);
  };
}
