import { assertOutboundUrl } from "../outbound/outbound-policy.js";
import { createGuardedFetch } from "../outbound/guarded-fetch.js";
import type { ModelSettings } from "./model-settings.js";

/** Ollama's address when OLLAMA_BASE_URL is unset (what `ollama:` models use then). */
const DEFAULT_OLLAMA_BASE_URL = "http://127.0.0.1:11434";

/**
 * Whether a base URL is one the operator configured (OPENAI_BASE_URL, ANTHROPIC_BASE_URL, OLLAMA_BASE_URL or
 * Ollama's default, and Ollama's OpenAI-compatible `/v1` under it): those are trusted — a local Ollama is a normal
 * set-up — and an assistant's other endpoints are held to the outbound policy. Trusted means the same text (a
 * trailing slash aside), not the same origin: providers append their paths to a base URL as text, so another path,
 * a `?` or a `#` on the operator's origin would steer the request anywhere on that server (`…/api/pull?x=`).
 */
function isOperatorEndpoint(baseUrl: string, settings: ModelSettings): boolean {
  const ollama = settings.ollamaBaseUrl ?? DEFAULT_OLLAMA_BASE_URL;
  const configured = [settings.openAiBaseUrl, settings.anthropicBaseUrl, ollama, `${withoutTrailingSlashes(ollama)}/v1`];
  return configured.some((url) => isSameEndpoint(baseUrl, url));
}

/**
 * Whether an assistant's `base_url` is the operator's `configured` endpoint itself (the same text, a trailing slash
 * aside): the one the server's key may go to.
 */
export function isSameEndpoint(baseUrl: string, configured: string | undefined): boolean {
  return configured !== undefined && withoutTrailingSlashes(configured) === withoutTrailingSlashes(baseUrl);
}

function withoutTrailingSlashes(url: string): string {
  return url.replace(/\/+$/, "");
}

/** Refuse (invalid_request) an assistant `base_url` pointing at a non-public address the policy does not allow. */
export function assertAssistantBaseUrl(baseUrl: string, settings: ModelSettings): void {
  if (!settings.outbound || isOperatorEndpoint(baseUrl, settings)) return;
  assertOutboundUrl(baseUrl, settings.outbound, "base_url");
}

/**
 * The fetch a provider client uses for an assistant's `base_url`: guarded (checked on every connection, after
 * DNS) unless the URL is the operator's own endpoint; undefined means the client's default fetch.
 */
export function fetchForBaseUrl(baseUrl: string | undefined, settings: ModelSettings): typeof fetch | undefined {
  if (baseUrl === undefined || !settings.outbound || isOperatorEndpoint(baseUrl, settings)) return undefined;
  return createGuardedFetch(settings.outbound);
}
