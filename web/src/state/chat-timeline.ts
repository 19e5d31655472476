import type { TranscriptMessage } from "../protocol/protocol-types.js";
import { type ReplayBranch, type RunView, type StreamingMessage, type ThreadState, toolCallView } from "./thread-state.js";

/** One row of the chat as rendered, in display order. */
export type TimelineItem =
  | { kind: "message"; key: string; message: TranscriptMessage }
  | { kind: "streaming"; key: string; entry: StreamingMessage; stopped: boolean; failed: boolean }
  | { kind: "run-error"; key: string; run: RunView }
  | { kind: "replay-divider"; key: string; branch: ReplayBranch };

/**
 * Whether a completed message is a row of the chat (tool results show in their call's card; system rows not at all;
 * an empty reply only when it says why it is empty: refused, or cut off at its length limit).
 */
export function isDisplayed(message: TranscriptMessage): boolean {
  if (message.role === "tool" || message.role === "system") return false;
  return message.role !== "assistant" || Boolean(message.content) || Boolean(message.tool_calls?.length) || message.status === "refused" || message.status === "truncated";
}

/**
 * Order the chat: completed messages by transcript seq (tool results are shown inside their call's card, not
 * as rows), then text still streaming, each failed run's error right after that run's last row, and a divider
 * above the first row of each replay run (the transcript keeps both branches, so the new one needs marking).
 */
export function buildTimeline(state: ThreadState): TimelineItem[] {
  const items: TimelineItem[] = [];
  for (const message of state.messages) {
    if (isDisplayed(message)) items.push({ kind: "message", key: message.id, message });
  }
  for (const entry of state.streaming) {
    const run = entry.run_id ? state.runs[entry.run_id] : undefined;
    const stopped = run !== undefined && run.status !== "running";
    // Cut off by a failure (the provider dropped the connection, a timeout), not stopped by anyone.
    const failed = run?.status === "error" || run?.status === "timeout";
    insertAfterRun(items, { kind: "streaming", key: `streaming-${entry.message_id}`, entry, stopped, failed });
  }
  for (const run of Object.values(state.runs)) {
    if (run.status === "running" || run.status === "success" || run.status === "interrupted" || run.withdrawn) continue;
    insertAfterRun(items, { kind: "run-error", key: `error-${run.run_id}`, run });
  }
  for (const branch of Object.values(state.replays)) insertReplayDivider(items, branch, state.activeRunId);
  return items;
}

/**
 * Above the replay's first row; a replay still starting (no row yet) gets it at the end, so the branch is
 * marked before its first text arrives. A finished replay whose rows are not loaded (older pages) gets none.
 */
function insertReplayDivider(items: TimelineItem[], branch: ReplayBranch, activeRunId: string | null): void {
  const divider: TimelineItem = { kind: "replay-divider", key: `replay-${branch.run_id}`, branch };
  const firstIndex = items.findIndex((candidate) => runOf(candidate) === branch.run_id);
  if (firstIndex !== -1) items.splice(firstIndex, 0, divider);
  else if (activeRunId === branch.run_id) items.push(divider);
}

/** Keep a run's rows together: a reply cut short stays under its question even after later turns. */
function insertAfterRun(items: TimelineItem[], item: TimelineItem): void {
  const runId = runOf(item);
  const lastIndex = runId === null ? -1 : findLastIndex(items, (candidate) => runOf(candidate) === runId);
  if (lastIndex === -1) items.push(item);
  else items.splice(lastIndex + 1, 0, item);
}

function runOf(item: TimelineItem): string | null {
  switch (item.kind) {
    case "message":
      return item.message.run_id;
    case "streaming":
      return item.entry.run_id;
    case "run-error":
      return item.run.run_id;
    case "replay-divider":
      return item.branch.run_id;
  }
}

function findLastIndex<T>(items: T[], predicate: (item: T) => boolean): number {
  for (let index = items.length - 1; index >= 0; index -= 1) {
    const item = items[index];
    if (item !== undefined && predicate(item)) return index;
  }
  return -1;
}

/** Milliseconds between two ISO timestamps, or undefined when either is missing. */
export function durationMs(startedAt: string | undefined, completedAt: string | undefined): number | undefined {
  if (!startedAt || !completedAt) return undefined;
  const duration = Date.parse(completedAt) - Date.parse(startedAt);
  return Number.isFinite(duration) && duration >= 0 ? duration : undefined;
}

/** Tool call states after which the model has the call's answer and is at work on what comes next. */
const ANSWERED_CALL_STATES = new Set(["done", "error", "rejected", "stopped"]);

/**
 * Whether the active run's model is at work with nothing of its reply on screen yet: after the user's message, or
 * after the results of its tool calls, before the first token. A reasoning model can think for a minute there,
 * with only the user's bubble and Stop to show for it.
 */
export function awaitsReply(state: ThreadState, items: readonly TimelineItem[]): boolean {
  if (state.activeRunId === null || state.interrupts.length > 0 || state.pausedBefore.length > 0) return false;
  const last = items.at(-1);
  if (last?.kind !== "message") return false;
  const { message } = last;
  if (message.role === "user") return true;
  const calls = message.tool_calls ?? [];
  return message.run_id === state.activeRunId && calls.length > 0 && calls.every((call) => ANSWERED_CALL_STATES.has(toolCallView(state, call, message).state));
}
