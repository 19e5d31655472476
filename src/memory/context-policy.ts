import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { MessageTokens } from "./message-tokens.js";
import { contextWindowOf, identifyModel, type ModelIdentity } from "./model-identity.js";
import { ESTIMATE_COUNTER, isTokenizingModel, modelTokenCounter, type TokenCounter, tiktokenCounter } from "./token-counter.js";

/** The share of the model's context window a default budget uses; the rest is left for the reply. */
export const DEFAULT_BUDGET_SHARE = 0.75;

/** A default budget never exceeds this (cost per turn); set `context_budget` to go higher. */
export const DEFAULT_BUDGET_CAP = 32_000;

/** Folding stops once the prompt is at or below this share of the budget (the low-water mark). */
export const LOW_WATER_SHARE = 0.6;

/** The running summary may take at most this share of the budget. */
export const SUMMARY_SHARE = 0.15;

/** The smallest budget accepted: below it, the system context and one turn rarely fit. */
export const MIN_CONTEXT_BUDGET = 200;

/** How one assistant's working context is bounded. */
export interface ContextPolicy {
  /** Most tokens one model call may receive: system context, summary, messages and tool schemas. */
  budget: number;
  /** When a call would exceed the budget, the oldest turns are folded until the prompt is at most this. */
  lowWater: number;
  /** Most tokens of the running summary. */
  summaryMaxTokens: number;
  /** Counts messages with the model's tokenizer. */
  tokens: MessageTokens;
  /** The model, identified (tokenizer and window choice). */
  identity: ModelIdentity;
  /** The scripted fake model: summaries are written deterministically, without a model call. */
  deterministicSummary: boolean;
}

/** What a policy is resolved from: the model, and what the runtime knows about the assistant. */
export interface ContextPolicyInput {
  model: BaseChatModel;
  /** The assistant's model string; without it the model object is inspected. */
  modelSpec?: string;
  /** The assistant's `context_budget`; without it, sized to the model. */
  contextBudget?: number;
}

const cache = new WeakMap<BaseChatModel, Map<string, Promise<ContextPolicy>>>();

/** The policy for a model and budget (cached per model object: the tokenizer's ranks load once). */
export function resolveContextPolicy(input: ContextPolicyInput): Promise<ContextPolicy> {
  let byKey = cache.get(input.model);
  if (!byKey) {
    byKey = new Map();
    cache.set(input.model, byKey);
  }
  const key = `${input.modelSpec ?? ""}\u0000${input.contextBudget ?? ""}`;
  let policy = byKey.get(key);
  if (!policy) {
    const built = buildPolicy(input);
    policy = built.then((result) => result.policy);
    byKey.set(key, policy);
    // A policy counted with the estimate because the model's own tokenizer failed to load is not kept: the next
    // call asks again (the file may be there by then). Nor is a failure.
    const forget = () => byKey.delete(key);
    built.then((result) => (result.provisional ? forget() : undefined), forget);
  }
  return policy;
}

/** The budget an assistant gets when it sets none: 3/4 of its model's window, capped. */
export function defaultContextBudget(model: BaseChatModel, identity: ModelIdentity): number {
  return Math.min(Math.floor(contextWindowOf(model, identity) * DEFAULT_BUDGET_SHARE), DEFAULT_BUDGET_CAP);
}

/** A policy from explicit parts (tests, import): budget and counter. */
export function policyFor(options: { budget: number; counter: TokenCounter; identity?: ModelIdentity; deterministicSummary?: boolean }): ContextPolicy {
  const budget = Math.max(MIN_CONTEXT_BUDGET, Math.floor(options.budget));
  return {
    budget,
    lowWater: Math.floor(budget * LOW_WATER_SHARE),
    summaryMaxTokens: Math.max(48, Math.floor(budget * SUMMARY_SHARE)),
    tokens: new MessageTokens(options.counter),
    identity: options.identity ?? { provider: "unknown", name: "" },
    deterministicSummary: options.deterministicSummary ?? false,
  };
}

async function buildPolicy(input: ContextPolicyInput): Promise<{ policy: ContextPolicy; provisional: boolean }> {
  const identity = identifyModel(input.model, input.modelSpec);
  // The counter first: an embedded model learns its real window (capped at its training size) when it loads.
  const { counter, provisional } = await counterFor(input.model, identity);
  const budget = input.contextBudget ?? defaultContextBudget(input.model, identity);
  return { policy: policyFor({ budget, counter, identity, deterministicSummary: identity.provider === "fake" }), provisional };
}

/**
 * The model's own tokenizer when it has one, js-tiktoken for OpenAI models, the estimate otherwise. An embedded
 * model whose weights fail to load is counted with the estimate for now (`provisional`): the failure is the model
 * call's to report, where the fallback chain can answer instead.
 */
async function counterFor(model: BaseChatModel, identity: ModelIdentity): Promise<{ counter: TokenCounter; provisional: boolean }> {
  if (isTokenizingModel(model)) {
    const own = await modelTokenCounter(model).catch(() => null);
    if (own) return { counter: own, provisional: false };
    if (own === null) return { counter: ESTIMATE_COUNTER, provisional: true };
  }
  if (identity.provider === "openai") return { counter: await tiktokenCounter(identity.name), provisional: false };
  return { counter: ESTIMATE_COUNTER, provisional: false };
}
