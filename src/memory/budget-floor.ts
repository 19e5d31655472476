import { AppError } from "../errors/app-error.js";
import { type ContextPolicy, SUMMARY_SHARE } from "./context-policy.js";
import { largestFixedTokens } from "./fold-working-context.js";

/** Room for one exchange (a short question and answer) on top of what every call carries. */
export const ONE_EXCHANGE_TOKENS = 128;

/** What every model call of an assistant carries, whatever was said. */
export interface FixedPart {
  policy: ContextPolicy;
  /** The assistant's system context and instructions. */
  systemPrompt?: string;
  /** The bound tools' share of each call (boundToolTokens). */
  toolTokens: number;
}

/** Tokens of a call's fixed part with the running summary at its largest (as folding counts it), and the smallest budget that holds it. */
export function budgetFloor(input: FixedPart): { fixed: number; floor: number } {
  const fixed = largestFixedTokens(input);
  // The summary's room is a share of the budget, so the floor solves budget ≥ fixed without it + exchange + share·budget.
  const floor = Math.ceil((fixed - input.policy.summaryMaxTokens + ONE_EXCHANGE_TOKENS) / (1 - SUMMARY_SHARE));
  return { fixed, floor };
}

/**
 * Refuse an assistant whose budget cannot hold its own system context and tools next to a running summary and one
 * exchange: every run of it would fail (or fold on every turn). Checked when the assistant is created or changed,
 * so the mistake shows there and not at the first run.
 */
export function assertBudgetHoldsFixedPart(input: FixedPart & { explicitBudget: boolean }): void {
  const { fixed, floor } = budgetFloor(input);
  const { budget } = input.policy;
  if (budget >= floor) return;
  const which = input.explicitBudget ? `context_budget ${budget}` : `The model's default context budget (${budget} tokens)`;
  throw new AppError(
    "invalid_request",
    `${which} is too small for this assistant: every call carries ${fixed} tokens before the conversation (the system context, ${input.toolTokens} for the bound tools, room for the running summary). Set context_budget to at least ${floor}, shorten the system context or bind fewer tools`,
    { details: { context_budget: budget, fixed_tokens: fixed, tool_tokens: input.toolTokens, minimum_budget: floor } },
  );
}
