import { findOutboundRefusal } from "../outbound/guarded-fetch.js";

/**
 * A provider's error in words a user can act on (run.failed's message, before keys are scrubbed): the provider's own
 * message rather than its JSON envelope, and the setting to check where SDKs say only "Connection error." or a bare
 * 404 — for the provider of `spec` (`anthropic:…` points at ANTHROPIC_BASE_URL, others at OPENAI_BASE_URL).
 */
export function providerErrorWords(error: unknown, spec: string): string {
  // SDKs wrap a refused connection as a bare "Connection error."; the refusal says which setting allows it.
  const refusal = findOutboundRefusal(error);
  if (refusal) return refusal.message;
  if (!(error instanceof Error)) return String(error);
  const anthropic = spec.startsWith("anthropic:");
  // LangChain appends a link to its own troubleshooting page to provider errors: noise in a user's run.failed.
  const raw = ((error.message === "[object Object]" ? bodyMessageOf(error) : undefined) ?? (error.message || error.name)).replace(/\s*Troubleshooting URL: \S+\s*$/, "");
  const message = anthropicEnvelopeWords(raw) ?? raw;
  // The SDKs word every failure to connect as a bare "Connection error."; the reason is in `cause`.
  if (message === "Connection error.") {
    return `could not connect to the provider (${connectionCause(error)}; check ${anthropic ? "ANTHROPIC_BASE_URL" : "OPENAI_BASE_URL"} or the assistant's base_url)`;
  }
  // A 404 without words (vLLM's, llama.cpp's, Ollama's "404 page not found") is a base URL that misses the API's root.
  if ((error as { status?: unknown }).status === 404 && /^404\b[^a-z]*(status code \(no body\)|page not found|not found)?\.?$/i.test(message.trim())) {
    const hint = anthropic
      ? "an Anthropic base_url ends before /v1: the client adds /v1/messages itself"
      : "an OpenAI-compatible base_url ends at the API's root, usually …/v1, without /chat/completions";
    return `${message.trim()}: no such endpoint (${hint})`;
  }
  // Node's fetch words a connection dropped mid-body as a bare "terminated" (the socket's reason in `cause`).
  if (message === "terminated") return `the provider's connection dropped mid-reply (terminated${causeOf(error)})`;
  // A body that is not JSON surfaces as the parser's own words ("Unexpected token < in JSON at position 0").
  if (error instanceof SyntaxError && /JSON/.test(message)) return `the provider sent a reply that is not valid JSON (${message})`;
  return message;
}

/**
 * Anthropic's SDK words an error as its status and the whole JSON body (`401 {"type":"error","error":{"type":
 * "authentication_error","message":"invalid x-api-key"}}`), and an error event mid-stream as the bare JSON: the
 * words are `401 authentication_error: invalid x-api-key`. Undefined for any other message.
 */
function anthropicEnvelopeWords(message: string): string | undefined {
  const match = /^(\d{3} )?(\{[\s\S]*\})$/.exec(message.trim());
  if (!match?.[2]) return undefined;
  try {
    const body = JSON.parse(match[2]) as { type?: unknown; error?: { type?: unknown; message?: unknown } };
    const inner = body.error;
    if (body.type !== "error" || typeof inner?.message !== "string") return undefined;
    return `${match[1] ?? ""}${typeof inner.type === "string" ? `${inner.type}: ` : ""}${inner.message}`;
  } catch {
    return undefined;
  }
}

/**
 * The words of an error body the client kept as an object: Ollama's client takes `body.error` as the message, and a
 * server behind `ollama:` answering OpenAI's way (`{"error": {"message": …}}`) made that "[object Object]".
 */
function bodyMessageOf(error: Error): string | undefined {
  const body = (error as { error?: unknown }).error;
  if (typeof body !== "object" || body === null) return undefined;
  const words = (body as { message?: unknown }).message;
  return typeof words === "string" && words !== "" ? words : JSON.stringify(body).slice(0, 500);
}

/** The innermost reason a connection failed: ECONNREFUSED, ENOTFOUND, a TLS error… */
function connectionCause(error: Error): string {
  let cause: unknown = error.cause;
  let reason = "no reason given";
  for (let depth = 0; cause instanceof Error && depth < 5; depth += 1, cause = cause.cause) {
    const code = (cause as { code?: unknown }).code;
    reason = typeof code === "string" ? code : cause.message || reason;
  }
  return reason;
}

function causeOf(error: Error): string {
  const cause = error.cause instanceof Error ? error.cause.message : undefined;
  return cause ? `: ${cause}` : "";
}
