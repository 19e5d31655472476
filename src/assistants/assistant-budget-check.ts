import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { boundToolSchemas } from "../agent/call-model.js";
import { AppError } from "../errors/app-error.js";
import { assertBudgetHoldsFixedPart } from "../memory/budget-floor.js";
import { resolveContextPolicy } from "../memory/context-policy.js";
import { boundToolTokens } from "../memory/tool-schema-tokens.js";
import type { ModelProvider } from "../models/model-provider.js";
import type { ToolDefinition } from "../tools/tool-definition.js";
import { allowedTools, type AssistantSettings, systemPromptOf } from "./assistant-settings.js";

/** Checks an assistant's settings against its context budget; rejects with `invalid_request`. */
export type AssistantBudgetCheck = (settings: AssistantSettings) => Promise<void>;

/**
 * The check an assistant's settings pass when it is created or changed: its model's context budget (its own or the
 * model's default) must hold the system context, the bound tools and a running summary with room for an exchange,
 * counted with the model's tokenizer as runs count them.
 */
export function assistantBudgetCheck(deps: { models: ModelProvider; tools: readonly ToolDefinition[] }): AssistantBudgetCheck {
  return async (settings) => {
    const model = await buildModel(deps.models, settings);
    const policy = await resolveContextPolicy({ model, modelSpec: deps.models.modelFor(settings), contextBudget: settings.context_budget });
    // A budget past the window the model reports (the embedded model's, known once loaded above) is never cut to
    // fit: node-llama-cpp would silently drop part of every prompt, or fail the run.
    const window = (model as { contextWindow?: unknown }).contextWindow;
    if (settings.context_budget !== undefined && typeof window === "number" && settings.context_budget > window) {
      throw new AppError("invalid_request", `context_budget ${settings.context_budget} is larger than the model's context window (${window} tokens): set it to ${window} or less`, {
        details: { context_budget: settings.context_budget, context_window: window },
      });
    }
    const toolTokens = boundToolTokens(model, boundToolSchemas(allowedTools(settings, deps.tools)), policy.tokens);
    assertBudgetHoldsFixedPart({ policy, systemPrompt: systemPromptOf(settings), toolTokens, explicitBudget: settings.context_budget !== undefined });
  };
}

async function buildModel(models: ModelProvider, settings: AssistantSettings): Promise<BaseChatModel> {
  try {
    return await models.get(settings);
  } catch (error) {
    if (error instanceof AppError) throw error;
    // An embedded model file that cannot be loaded: the assistant could never run.
    throw new AppError("invalid_request", `The assistant's model ${models.modelFor(settings)} cannot be loaded: ${error instanceof Error ? error.message : String(error)}`);
  }
}
