import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { type BaseMessage, HumanMessage, SystemMessage } from "@langchain/core/messages";
import type { ContextPolicy } from "./context-policy.js";
import { describeMessage, type RunningSummary } from "./running-summary.js";
import { truncateToTokens } from "./truncate-text.js";

/** What the summarising call is told. */
export const SUMMARY_INSTRUCTIONS =
  "You maintain the running summary of a long conversation between a user and an assistant. Older messages are " +
  "removed from the assistant's context and survive only in this summary, so keep what the assistant will need: " +
  "who the user is, their preferences, facts and numbers, decisions, commitments, tool results that matter and " +
  "open questions. Merge the new messages into the current summary; drop small talk. Write plain text, third person, " +
  "no preamble.";

/** Tokens reserved for the framing of the request around the summary and the messages. */
const FRAMING_TOKENS = 80;

/** What a summarising call needs. */
export interface ModelSummaryOptions {
  model: BaseChatModel;
  policy: ContextPolicy;
  signal?: AbortSignal;
}

/**
 * Fold messages into the summary with the model. The request itself stays within the budget: messages are sent
 * in as many chunks as needed (each chunk's summary feeding the next), and a single huge message is shortened.
 * The call is tagged `nostream`, so its tokens never reach clients as deltas of the reply.
 */
export async function foldWithModel(previous: RunningSummary | undefined, folded: readonly BaseMessage[], options: ModelSummaryOptions): Promise<string> {
  const { policy } = options;
  let summary = previous?.text ?? "";
  for (const chunk of chunkLines(folded.map(describeMessage), options.policy)) {
    const request = [new SystemMessage(SUMMARY_INSTRUCTIONS), new HumanMessage(requestText(summary, chunk, policy.summaryMaxTokens))];
    const reply = await options.model.invoke(request, { signal: options.signal, tags: ["nostream"], runName: "threadline_summary" });
    summary = truncateToTokens(reply.text.trim(), policy.summaryMaxTokens, policy.tokens.counter);
  }
  return summary;
}

function requestText(summary: string, lines: readonly string[], maxTokens: number): string {
  const words = Math.max(20, Math.floor(maxTokens * 0.6));
  return `Current summary:\n${summary || "(none yet)"}\n\nNew messages, oldest first:\n${lines.join("\n")}\n\nReply with the updated summary only, at most ${words} words.`;
}

/** Group lines so each request (instructions + summary at its largest + lines) fits the budget. */
function chunkLines(lines: readonly string[], policy: ContextPolicy): string[][] {
  const tokens = policy.tokens;
  const fixed = tokens.text(SUMMARY_INSTRUCTIONS) + policy.summaryMaxTokens + FRAMING_TOKENS + tokens.promptOverhead + 8;
  const room = Math.max(32, policy.budget - fixed);
  const chunks: string[][] = [];
  let current: string[] = [];
  let used = 0;
  for (const raw of lines) {
    const line = truncateToTokens(raw, room, tokens.counter);
    const size = tokens.text(line) + 1;
    if (current.length > 0 && used + size > room) {
      chunks.push(current);
      current = [];
      used = 0;
    }
    current.push(line);
    used += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}
