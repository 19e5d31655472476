import { assertOutboundUrl } from "../outbound/outbound-policy.js";
import { createGuardedFetch } from "../outbound/guarded-fetch.js";
import type { ModelSettings } from "./model-settings.js";

/**
 * Whether a base URL is one the operator configured (OPENAI_BASE_URL, ANTHROPIC_BASE_URL, OLLAMA_BASE_URL or
 * Ollama's default): those are trusted wherever they point — a local Ollama is a normal set-up — and only an
 * assistant's own other endpoints are held to the outbound policy.
 */
function isOperatorEndpoint(baseUrl: string, settings: ModelSettings): boolean {
  const origin = new URL(baseUrl).origin;
  const configured = [settings.openAiBaseUrl, settings.anthropicBaseUrl, settings.ollamaBaseUrl ?? "http://127.0.0.1:11434"];
  return configured.some((url) => url !== undefined && new URL(url).origin === origin);
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
