import type pg from "pg";
import type { AgentContext } from "../agent/agent-context.js";
import { ModelCallError, redactSecrets } from "../agent/model-call-error.js";
import type { Assistant } from "../assistants/assistant.js";
import { allowedTools, systemPromptOf } from "../assistants/assistant-settings.js";
import type { ModelProvider } from "../models/model-provider.js";
import type { ToolDefinition } from "../tools/tool-definition.js";
import type { Run } from "./run.js";

/** What a run's agent context is built from. */
export interface RunAgentContextDeps {
  pool: pg.Pool;
  models: ModelProvider;
  tools: readonly ToolDefinition[];
  toolOutputMaxChars?: number;
}

/**
 * The `AgentContext` a run's graph receives (under `AGENT_CONTEXT_KEY` in `configurable`): the assistant's model
 * (and the one writing summaries, without the reply cap, when the assistant sets one), its allowed tools scoped to
 * the run's user and thread, its system prompt, response shape and context budget. The graph's own settings are
 * not here: they are in `config.context`, the run's context as given.
 */
export async function runAgentContext(deps: RunAgentContextDeps, scope: { run: Run; assistant: Assistant; signal: AbortSignal }): Promise<AgentContext> {
  const { run, assistant, signal } = scope;
  const settings = assistant.context;
  return {
    model: await modelOf(deps.models, settings),
    summaryModel: settings.max_tokens === undefined ? undefined : await modelOf(deps.models, settings, { summary: true }),
    tools: allowedTools(settings, deps.tools),
    toolContext: { userId: run.user_id, threadId: run.thread_id, runId: run.run_id, db: deps.pool, signal },
    systemPrompt: systemPromptOf(settings),
    responseShape: settings.response_shape,
    contextBudget: settings.context_budget,
    modelSpec: deps.models.modelFor(settings),
    ...(deps.toolOutputMaxChars === undefined ? {} : { toolOutputMaxChars: deps.toolOutputMaxChars }),
  };
}

/**
 * The assistant's model. One stored while the server had a provider's key can outlive that setting; building it
 * then fails as the run's model failure (`model_error`, saying what to set), not as a bad request of this run.
 */
async function modelOf(models: ModelProvider, settings: Assistant["context"], use: { summary?: boolean } = {}): Promise<AgentContext["model"]> {
  try {
    return await (use.summary ? models.summaryModel(settings) : models.get(settings));
  } catch (error) {
    if (error instanceof Error && error.name === "AppError") throw new ModelCallError(redactSecrets(error.message), { cause: error });
    throw error;
  }
}
