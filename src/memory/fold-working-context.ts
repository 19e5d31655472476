import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import type { BaseMessage } from "@langchain/core/messages";
import type { ContextPolicy } from "./context-policy.js";
import { foldDeterministically } from "./deterministic-summary.js";
import { planFold } from "./fold-plan.js";
import { foldWithModel } from "./model-summary.js";
import { type RunningSummary, SUMMARY_HEADING, systemText } from "./running-summary.js";

/** A working context about to be sent, and what folding needs to summarise. */
export interface FoldInput {
  /** The working messages in the graph state, oldest first. */
  messages: readonly BaseMessage[];
  summary: RunningSummary | undefined;
  systemPrompt?: string;
  /** Tokens of the bound tools' schemas. */
  toolTokens: number;
  policy: ContextPolicy;
  /** Writes the summary unless the policy is deterministic. */
  model?: BaseChatModel;
  signal?: AbortSignal;
}

/** The working context after folding. */
export interface FoldResult {
  /** The messages that stay in the working context. */
  working: BaseMessage[];
  /** The messages folded into the summary (and to be removed from the state), oldest first. */
  folded: BaseMessage[];
  /** The summary, updated when something was folded. */
  summary: RunningSummary | undefined;
}

/**
 * Fold the oldest turns into the running summary when the next call would exceed the budget, down to the
 * low-water mark (so the summariser runs once every many turns, not at every turn). Under budget: unchanged.
 */
export async function foldIfOverBudget(input: FoldInput): Promise<FoldResult> {
  const { policy, messages } = input;
  const sizes = messages.map((message) => policy.tokens.message(message));
  const current = currentFixedTokens(input) + sizes.reduce((sum, size) => sum + size, 0);
  const unchanged = { working: [...messages], folded: [], summary: input.summary };
  if (current <= policy.budget) return unchanged;
  const cut = planFold(messages, sizes, { fixedTokens: largestFixedTokens(input), budget: policy.budget, lowWater: policy.lowWater });
  if (cut === 0) return unchanged;
  const folded = messages.slice(0, cut);
  const text = await summarise(input, folded);
  const summary: RunningSummary = { text, message_count: (input.summary?.message_count ?? 0) + folded.length, through_message_id: folded.at(-1)?.id ?? null };
  return { working: messages.slice(cut), folded, summary };
}

function summarise(input: FoldInput, folded: readonly BaseMessage[]): Promise<string> {
  const { policy } = input;
  if (policy.deterministicSummary || !input.model) {
    return Promise.resolve(foldDeterministically(input.summary, folded, { maxTokens: policy.summaryMaxTokens, tokens: policy.tokens }));
  }
  return foldWithModel(input.summary, folded, { model: input.model, policy, signal: input.signal });
}

/** Tokens of a call's fixed part as it is now: the system message (system context + summary), tools, priming. */
export function currentFixedTokens(input: Pick<FoldInput, "systemPrompt" | "summary" | "toolTokens" | "policy">): number {
  const text = systemText(input.systemPrompt, input.summary);
  const { tokens } = input.policy;
  const system = text === undefined ? 0 : tokens.messageOverhead + tokens.recurringText(text);
  return system + input.toolTokens + tokens.promptOverhead;
}

/** The fixed part with the summary at its largest: what remains after a fold must fit next to it. */
export function largestFixedTokens(input: Pick<FoldInput, "systemPrompt" | "toolTokens" | "policy">): number {
  const { tokens, summaryMaxTokens } = input.policy;
  const prompt = input.systemPrompt ? tokens.recurringText(input.systemPrompt) + 1 : 0;
  return tokens.messageOverhead + prompt + tokens.recurringText(SUMMARY_HEADING) + 1 + summaryMaxTokens + input.toolTokens + tokens.promptOverhead;
}
