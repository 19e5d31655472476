import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { initChatModel } from "langchain";
import { fetchForBaseUrl, isSameEndpoint } from "./assistant-endpoint.js";
import { ExactUsageChatAnthropic } from "./exact-usage-chat-anthropic.js";
import { IsolatedChatOllama } from "./isolated-chat-ollama.js";
import { readOpenAiCompatibleErrorBodies } from "./openai-error-bodies.js";
import { ReasoningChatCompletions } from "./reasoning-chat-completions.js";
import { endStreamsAtUsage } from "./openai-stream-end.js";
import type { ModelSettings } from "./model-settings.js";
import type { ModelOverrides, ModelSpec } from "./model-spec.js";
import { retryModelCall } from "./retry-policy.js";

/** Sent where a client library insists on a key but the endpoint needs (or must get) none. */
const KEYLESS = "not-needed";

/** Anthropic requires max_tokens on every request. */
const ANTHROPIC_DEFAULT_MAX_TOKENS = 4096;

/**
 * A hosted or served model (openai, anthropic, ollama) through LangChain's `initChatModel`. Every value comes from
 * the settings — never from the environment the provider packages would otherwise read — and provider retries run
 * through LangChain's AsyncCaller with Threadline's retry policy.
 */
export async function createProviderChatModel(spec: ModelSpec, settings: ModelSettings, overrides: ModelOverrides): Promise<BaseChatModel> {
  const common = {
    temperature: overrides.temperature,
    maxRetries: settings.maxRetries ?? 2,
    onFailedAttempt: retryModelCall,
  };
  // An assistant's own endpoint is user input: its connections are held to the outbound policy.
  const guardedFetch = fetchForBaseUrl(overrides.baseUrl, settings);
  switch (spec.provider) {
    case "openai": {
      // vLLM and other compatible servers word their errors differently; users must still read them.
      readOpenAiCompatibleErrorBodies();
      const baseURL = overrides.baseUrl ?? settings.openAiBaseUrl;
      // The server's key only ever goes to the endpoint the operator configured: an assistant's own base_url
      // (any user can set one) gets none, or a user could collect the key with a server of their own.
      const ownEndpoint = overrides.baseUrl !== undefined && !isSameEndpoint(overrides.baseUrl, settings.openAiBaseUrl);
      const fields = {
        ...common,
        model: spec.model,
        // OpenAI-compatible servers often need no key, but the client insists on one being present.
        apiKey: ownEndpoint ? KEYLESS : (settings.openAiApiKey ?? KEYLESS),
        maxTokens: overrides.maxTokens,
        timeout: overrides.timeoutMs ?? settings.timeoutMs,
        // ChatOpenAI reads `seed` from call options only; modelKwargs puts it in every request body.
        ...(overrides.seed !== undefined ? { modelKwargs: { seed: overrides.seed } } : {}),
        // The SDK logs an unparsable stream line (raw provider output, which may echo a key) with console.error;
        // the error itself still fails the call, scrubbed, as a model_error.
        // The stream ends at its usage chunk (or soon after its finish chunk when no usage chunk comes): a provider
        // slow to send [DONE] after it must not time the call out.
        configuration: { ...(baseURL ? { baseURL } : {}), fetch: endStreamsAtUsage(guardedFetch ?? ((input, init) => fetch(input, init)), { timeoutMs: overrides.timeoutMs ?? settings.timeoutMs }), logLevel: "off" as const },
        streamUsage: true,
      };
      // ChatOpenAI sends some models to /v1/responses by name (any name containing "codex"…); OpenAI-compatible
      // servers (vLLM, llama.cpp, Ollama) have no such endpoint, so a custom endpoint gets chat completions only,
      // with the reasoning models' conventions (DeepSeek's reasoning_content sent back with tool calls).
      if (baseURL && !isOpenAiEndpoint(baseURL)) return new ReasoningChatCompletions(fields);
      return initChatModel(spec.model, { ...fields, modelProvider: "openai" });
    }
    case "anthropic":
      // Not through initChatModel: LangChain's ChatAnthropic counts message_start's output tokens twice.
      return new ExactUsageChatAnthropic({
        ...common,
        model: spec.model,
        apiKey: overrides.baseUrl !== undefined && !isSameEndpoint(overrides.baseUrl, settings.anthropicBaseUrl) ? KEYLESS : settings.anthropicApiKey,
        anthropicApiUrl: overrides.baseUrl ?? settings.anthropicBaseUrl ?? "https://api.anthropic.com",
        maxTokens: overrides.maxTokens ?? ANTHROPIC_DEFAULT_MAX_TOKENS,
        clientOptions: { timeout: overrides.timeoutMs ?? settings.timeoutMs, ...(guardedFetch ? { fetch: guardedFetch } : {}), logLevel: "off" },
      });
    case "ollama":
      // Not through initChatModel: each call needs a client of its own (isolated-chat-ollama.ts).
      return new IsolatedChatOllama({
        ...common,
        model: spec.model,
        baseUrl: overrides.baseUrl ?? settings.ollamaBaseUrl ?? "http://127.0.0.1:11434",
        numPredict: overrides.maxTokens,
        seed: overrides.seed,
        ...(guardedFetch ? { fetch: guardedFetch } : {}),
      });
    default:
      throw new Error(`createProviderChatModel cannot build provider "${spec.provider}"`);
  }
}

/** Whether a base URL is OpenAI's own API (set explicitly), whose Responses-only models need LangChain's routing. */
function isOpenAiEndpoint(baseUrl: string): boolean {
  return new URL(baseUrl).hostname === "api.openai.com";
}
