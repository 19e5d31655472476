import { setImmediate as yieldToEventLoop } from "node:timers/promises";
import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { AIMessage, type BaseMessage, HumanMessage, ToolMessage } from "@langchain/core/messages";
import { randomUUID } from "node:crypto";
import { EDITED_ARGS_KEY } from "../agent/run-tool-calls.js";
import type { ImportedRow } from "../transcript/transcript-bulk-writer.js";
import type { ContextPolicy } from "./context-policy.js";
import { turnStarts } from "./fold-plan.js";
import { currentFixedTokens, foldIfOverBudget } from "./fold-working-context.js";
import type { RunningSummary } from "./running-summary.js";

/**
 * The result a tool call gets when it was cut off (a cancelled run, a new message instead of an approval, an
 * imported call without its result): true whether or not the tool had started.
 */
export const CANCELLED_TOOL_RESULT = "Error: this tool call was cancelled before it returned a result.";

/**
 * Imported lines as graph messages, ids shared with the transcript rows. System lines stay in the transcript
 * only (providers reject system messages mid-conversation). Calls left unanswered get a cancelled result, as
 * the runtime does before new input, so every call has its result.
 */
export function toGraphMessages(rows: readonly ImportedRow[]): BaseMessage[] {
  const messages: BaseMessage[] = [];
  let pending: { id: string; name: string }[] = [];
  const closePending = () => {
    for (const call of pending) messages.push(new ToolMessage({ id: randomUUID(), content: CANCELLED_TOOL_RESULT, tool_call_id: call.id, name: call.name, status: "error" }));
    pending = [];
  };
  for (const row of rows) {
    if (row.role === "tool") {
      pending = pending.filter((call) => call.id !== row.tool_call_id);
      // Edited arguments travel with the result, as in a chatted thread (a state read shows what ran).
      const edited = row.args ? { response_metadata: { [EDITED_ARGS_KEY]: row.args } } : {};
      messages.push(new ToolMessage({ id: row.id, content: row.content, tool_call_id: row.tool_call_id ?? "", name: row.name, status: row.status ?? "success", ...edited }));
      continue;
    }
    closePending();
    // Names as written: provider calls send them in a form the provider accepts (`withProviderSafeNames`).
    if (row.role === "user") messages.push(new HumanMessage({ id: row.id, content: row.content, name: row.name }));
    if (row.role === "assistant") {
      const calls = (row.tool_calls ?? []).map((call) => ({ ...call, type: "tool_call" as const }));
      messages.push(new AIMessage({ id: row.id, content: row.content, name: row.name, tool_calls: calls }));
      pending = calls.map((call) => ({ id: call.id, name: call.name }));
    }
  }
  closePending();
  return messages;
}

/** The working context and summary a conversation would have had, had it been chatted. */
export interface BuiltContext {
  working: BaseMessage[];
  summary: RunningSummary | undefined;
  /** How many times older turns were folded. */
  folds: number;
  /** How many turns (user messages after something else) the conversation has. */
  turns: number;
}

/** Turns folded between two yields to the event loop (about 50 ms of work on this project's 2-core machine). */
const YIELD_EVERY_TURNS = 1_000;

/**
 * Replay the conversation through the same folding the model node applies at each turn's first model call:
 * add the turn's user messages, fold if the call would exceed the budget, then add the rest of the turn.
 * With the scripted fake model no model is called; with a real one, once per fold (not per turn).
 */
export async function buildWorkingContext(
  messages: readonly BaseMessage[],
  options: { policy: ContextPolicy; systemPrompt?: string; toolTokens?: number; model?: BaseChatModel; signal?: AbortSignal },
): Promise<BuiltContext> {
  const starts = turnStarts(messages);
  const { policy } = options;
  const toolTokens = options.toolTokens ?? 0;
  let working: BaseMessage[] = [];
  let workingTokens = 0;
  let summary: RunningSummary | undefined;
  let folds = 0;
  const add = (added: readonly BaseMessage[]) => {
    working.push(...added);
    for (const message of added) workingTokens += policy.tokens.message(message);
  };
  for (const [index, start] of starts.entries()) {
    // A long import takes seconds here: let the server's other requests and sockets through now and then.
    if (index % YIELD_EVERY_TURNS === YIELD_EVERY_TURNS - 1) await yieldToEventLoop();
    const turn = messages.slice(start, starts[index + 1] ?? messages.length);
    const opening = turn.findIndex((message) => !HumanMessage.isInstance(message));
    const split = opening < 0 ? turn.length : opening;
    add(turn.slice(0, split));
    // A running total: the fold (which recounts everything) runs only when the call would not fit.
    if (currentFixedTokens({ systemPrompt: options.systemPrompt, summary, toolTokens, policy }) + workingTokens > policy.budget) {
      const fold = await foldIfOverBudget({ messages: working, summary, systemPrompt: options.systemPrompt, toolTokens, policy, model: options.model, signal: options.signal });
      if (fold.folded.length > 0) folds += 1;
      summary = fold.summary;
      working = [];
      workingTokens = 0;
      add(fold.working);
    }
    add(turn.slice(split));
  }
  return { working, summary, folds, turns: starts.filter((start) => HumanMessage.isInstance(messages[start])).length };
}
