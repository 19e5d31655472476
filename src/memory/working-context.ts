import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { type BaseMessage, RemoveMessage } from "@langchain/core/messages";
import { type ContextPolicy, resolveContextPolicy } from "./context-policy.js";
import { fitPromptToBudget } from "./fit-prompt.js";
import { foldIfOverBudget } from "./fold-working-context.js";
import { assemblePrompt, type RunningSummary } from "./running-summary.js";

/** The graph state a model call starts from. */
export interface WorkingState {
  messages: BaseMessage[];
  summary?: RunningSummary;
}

/** What the runtime knows about the call: the model, its budget, the system context, the tools' size. */
export interface WorkingContextOptions {
  model: BaseChatModel;
  /** Writes the summary when turns are folded. @default model */
  summaryModel?: BaseChatModel;
  modelSpec?: string;
  contextBudget?: number;
  systemPrompt?: string;
  /** Tokens of the bound tools' schemas (see toolSchemaTokens). */
  toolTokens: (policy: ContextPolicy) => number;
  signal?: AbortSignal;
}

/** A model call ready to go: the prompt within budget, and the state changes folding made. */
export interface PreparedModelCall {
  prompt: BaseMessage[];
  /** Removals of the folded messages from the state; empty when nothing was folded. */
  removals: RemoveMessage[];
  /** The new running summary, when something was folded. */
  summary?: RunningSummary;
  policy: ContextPolicy;
  toolTokens: number;
}

/**
 * Build the prompt of one model call within the assistant's context budget: fold the oldest turns into the
 * running summary when needed (returned as state updates), then shorten texts in the prompt if the current
 * turn alone still does not fit. The result never exceeds the budget (or the call fails with a clear error).
 */
export async function prepareModelCall(state: WorkingState, options: WorkingContextOptions): Promise<PreparedModelCall> {
  const policy = await resolveContextPolicy({ model: options.model, modelSpec: options.modelSpec, contextBudget: options.contextBudget });
  const toolTokens = options.toolTokens(policy);
  const fold = await foldIfOverBudget({
    messages: state.messages,
    summary: state.summary,
    systemPrompt: options.systemPrompt,
    toolTokens,
    policy,
    model: options.summaryModel ?? options.model,
    signal: options.signal,
  });
  const prompt = fitPromptToBudget(assemblePrompt(options.systemPrompt, fold.summary, fold.working), { toolTokens, policy });
  const removals = fold.folded.flatMap((message) => (message.id ? [new RemoveMessage({ id: message.id })] : []));
  return { prompt, removals, policy, toolTokens, ...(fold.folded.length > 0 ? { summary: fold.summary } : {}) };
}
