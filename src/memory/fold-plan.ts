import { AIMessage, type BaseMessage, HumanMessage, ToolMessage } from "@langchain/core/messages";

/** Token limits a fold works against. */
export interface FoldLimits {
  /** Tokens of a call's fixed part (system context, summary at its largest, tool schemas, reply priming). */
  fixedTokens: number;
  /** The prompt may not exceed this. */
  budget: number;
  /** Folding goes down to this, so the next folds are many turns away. */
  lowWater: number;
}

/**
 * A turn starts at every user message, and the first message always starts one (an assistant's opening message
 * forms a turn of its own). Consecutive user messages are separate turns: after an outage (each failed run leaves its
 * input in the state) or in a group conversation there may be hundreds of them, and as one turn — never folded, as
 * the current turn is not — they would outgrow the budget for good.
 */
export function turnStarts(messages: readonly BaseMessage[]): number[] {
  const starts: number[] = [];
  for (const [index, message] of messages.entries()) {
    if (index === 0 || HumanMessage.isInstance(message)) starts.push(index);
  }
  return starts;
}

/**
 * Turn starts where the list can be cut without separating a tool call from its result: no tool result at or
 * after the cut answers a call made before it. Ascending; 0 excluded (a cut there folds nothing).
 */
export function safeCuts(messages: readonly BaseMessage[]): number[] {
  const callIndex = new Map<string, number>();
  for (const [index, message] of messages.entries()) {
    if (AIMessage.isInstance(message)) for (const call of message.tool_calls ?? []) if (call.id) callIndex.set(call.id, index);
  }
  // earliestCaller[i]: the earliest message a tool result at or after i answers.
  const earliestCaller = new Array<number>(messages.length + 1).fill(Number.POSITIVE_INFINITY);
  for (let index = messages.length - 1; index >= 0; index -= 1) {
    const message = messages[index];
    const caller = message && ToolMessage.isInstance(message) ? callIndex.get(message.tool_call_id) : undefined;
    earliestCaller[index] = Math.min(earliestCaller[index + 1] ?? Number.POSITIVE_INFINITY, caller ?? Number.POSITIVE_INFINITY);
  }
  return turnStarts(messages).filter((start) => start > 0 && (earliestCaller[start] ?? Number.POSITIVE_INFINITY) >= start);
}

/**
 * How many of the oldest messages to fold so the next model call fits: 0 when the prompt fits the budget.
 * Preference, in order: keep the current and the previous turn and get down to the low-water mark; keep both
 * and merely fit the budget; keep the current turn and get down to the low-water mark; fold everything but the
 * current turn. The current turn (the run's own input and steps) is never folded.
 */
export function planFold(messages: readonly BaseMessage[], sizes: readonly number[], limits: FoldLimits): number {
  const suffix = suffixSums(sizes);
  const total = (cut: number) => limits.fixedTokens + (suffix[cut] ?? 0);
  if (total(0) <= limits.budget) return 0;
  const starts = turnStarts(messages);
  const current = starts.at(-1) ?? 0;
  const previous = starts.at(-2) ?? 0;
  const cuts = safeCuts(messages).filter((cut) => cut <= current);
  const keepingPrevious = cuts.filter((cut) => cut <= previous);
  return (
    keepingPrevious.find((cut) => total(cut) <= limits.lowWater) ??
    lastWhere(keepingPrevious, (cut) => total(cut) <= limits.budget) ??
    cuts.find((cut) => total(cut) <= limits.lowWater) ??
    cuts.at(-1) ??
    0
  );
}

function suffixSums(sizes: readonly number[]): number[] {
  const sums = new Array<number>(sizes.length + 1).fill(0);
  for (let index = sizes.length - 1; index >= 0; index -= 1) sums[index] = (sums[index + 1] ?? 0) + (sizes[index] ?? 0);
  return sums;
}

function lastWhere(values: readonly number[], predicate: (value: number) => boolean): number | undefined {
  for (let index = values.length - 1; index >= 0; index -= 1) {
    const value = values[index];
    if (value !== undefined && predicate(value)) return value;
  }
  return undefined;
}
