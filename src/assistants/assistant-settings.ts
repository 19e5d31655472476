import { z } from "zod";

/**
 * What an assistant configures about its graph. Stored in the assistant's `context` (LangGraph 1.x shape). Other keys
 * are kept as given: they are a developer's graph's own settings, handed to it with the run's context.
 */
export const assistantSettingsSchema = z.looseObject({
  /** `provider:model`; defaults to the server's MODEL. */
  model: z.string().min(1).max(200).optional(),
  /** The system context (system prompt). */
  context: z.string().max(50_000).optional(),
  /** Shown as the assistant's opening message of a new session. */
  first_message: z.string().max(10_000).optional(),
  /** Extra instructions appended after the system context. */
  instructions: z.string().max(50_000).optional(),
  /** JSON schema: the final answer is returned as structured output matching it. */
  response_shape: z.record(z.string(), z.unknown()).optional(),
  /** Allow-list of tool names; unset means every built-in tool. */
  tools: z.array(z.string().min(1)).max(100).optional(),
  temperature: z.number().min(0).max(2).optional(),
  /**
   * Most tokens one model call may receive (system context, running summary, messages, tool schemas); older turns
   * are folded into the running summary to stay within it. Unset: sized to the model (docs/long-threads.md).
   */
  context_budget: z.number().int().min(200).max(2_000_000).optional(),
  // No model answers more than a few hundred thousand tokens; a larger value is a typo.
  max_tokens: z.number().int().min(1).max(1_000_000).optional(),
  /**
   * The model's provider endpoint (an OpenAI-compatible server, Anthropic or Ollama URL): http(s) only, and no
   * credentials in it (they would be stored and shown with the assistant; keys go in the server's settings).
   */
  base_url: z
    .url({ protocol: /^https?$/, error: "base_url must be an http:// or https:// URL" })
    .refine((url) => !/^[a-z]+:\/\/[^/?#]*@/i.test(url), "base_url must not carry credentials (user:password@); set the key in the server's settings")
    .optional(),
  /** Longest a model call may stay silent before it is abandoned (then the next fallback is tried). */
  timeout_ms: z.number().int().min(1).max(3_600_000).optional(),
  /** Sampling seed, for reproducible output (embedded model, OpenAI, Ollama). */
  seed: z.number().int().min(0).max(2_147_483_647).optional(),
});

/** Validated assistant settings. */
export type AssistantSettings = z.infer<typeof assistantSettingsSchema>;

/** The system prompt a run of these settings gives its model: the system context, then the instructions. */
export function systemPromptOf(settings: AssistantSettings): string | undefined {
  return [settings.context, settings.instructions].filter(Boolean).join("\n\n") || undefined;
}

/** The tools these settings allow (their `tools` allow-list; every one when unset). */
export function allowedTools<T extends { name: string }>(settings: AssistantSettings, tools: readonly T[]): readonly T[] {
  const names = settings.tools;
  return names ? tools.filter((tool) => names.includes(tool.name)) : tools;
}
