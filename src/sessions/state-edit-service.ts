import { stateKeysOf } from "../registry/graph-state-keys.js";
import type { BaseMessage } from "@langchain/core/messages";
import type pg from "pg";
import { SAVER_TRANSACTION_KEY } from "../checkpoint/saver-config-keys.js";
import { type Queryable, withTransaction } from "../db/database.js";
import { AppError, notFound } from "../errors/app-error.js";
import type { EventBus } from "../events/event-bus.js";
import type { EventLog } from "../events/event-log.js";
import { runningSummarySchema } from "../memory/running-summary.js";
import { toNewTranscriptMessage } from "../transcript/transcript-message.js";
import type { TranscriptStore } from "../transcript/transcript-store.js";
import type { GraphStateSnapshot } from "../registry/graph-registry.js";
import type { SessionStatus } from "./session.js";
import type { SessionStore } from "./session-store.js";
import type { CheckpointRef, ThreadStateService } from "./thread-state-service.js";

/** A state edit as `POST /threads/{id}/state` sends it. */
export interface StateEdit {
  values: unknown;
  as_node?: string;
  checkpoint_id?: string;
}

/** What the service needs; `saver` forgets the refs of a rolled-back edit. */
export interface StateEditDeps {
  pool: pg.Pool;
  saver: { forgetThread(threadId: string): void };
  threadState: ThreadStateService;
  sessions: Pick<SessionStore, "setStatus" | "announceStatus">;
  transcript: TranscriptStore;
  eventLog: EventLog;
  bus: EventBus;
}

/**
 * Edits a thread's state so that every window sees the edit: the messages it adds are appended to the transcript
 * and announced as `message.completed` events (no run: `run_id` null); a message it replaces under its id is
 * revised in place (same seq, `edited_at` set) and announced again. Messages it removes from the working state
 * stay in the transcript, which keeps everything that was said. The checkpoint, the transcript rows and the events are written in
 * one transaction: an edit is recorded whole or not at all.
 */
export class StateEditService {
  constructor(private readonly deps: StateEditDeps) {}

  /** Apply the edit (LangGraph's `updateState`) and record and announce the messages it added, atomically. */
  async update(userId: string, threadId: string, edit: StateEdit): Promise<CheckpointRef> {
    assertSummaryShape(edit.values);
    const graph = await this.deps.threadState.graphOf(userId, threadId);
    assertKnownKeys(graph, edit.values);
    const { ref, announced, status } = await withTransaction(this.deps.pool, async (client) => {
      const current = await lockIdleThread(client, userId, threadId);
      const base = await graph.getState({ configurable: { thread_id: threadId, checkpoint_id: edit.checkpoint_id, [SAVER_TRANSACTION_KEY]: client } });
      // LangGraph reads an unknown checkpoint id as an empty state: an edit on it would replace the thread's state.
      if (edit.checkpoint_id && !base.createdAt) throw new AppError("not_found", `Checkpoint ${edit.checkpoint_id} not found`);
      const before = messagesOf(base.values);
      await this.refuseMessagesOutOfState(client, { threadId, before, values: edit.values });
      const written = await this.deps.threadState.updateOn(graph, { ...edit, thread_id: threadId, transaction: client });
      // Read inside the transaction: the new checkpoint is not visible outside it yet.
      const latest = await graph.getState({ configurable: { thread_id: threadId, [SAVER_TRANSACTION_KEY]: client } });
      const settled = statusAfterEdit(latest);
      const status = settled === current ? undefined : await this.deps.sessions.setStatus({ threadId, userId }, settled, { db: client });
      const { added, replaced } = diffMessages(before, messagesOf(latest.values));
      if (added.length === 0 && replaced.length === 0) return { ref: written, announced: [], status };
      const revised = await this.deps.transcript.revise({ threadId, messages: replaced.map((message) => toNewTranscriptMessage(message, message.id ?? "")) }, client);
      const appended = await this.deps.transcript.append(
        { threadId, runId: null, messages: added.map((message, index) => toNewTranscriptMessage(message, `edit-${written.checkpoint_id ?? "state"}-${index}`)) },
        client,
      );
      const events = [...revised, ...appended].map((message) => ({ event: "message.completed" as const, data: { message } }));
      return { ref: written, announced: await this.deps.eventLog.append({ threadId, runId: null, events }, client), status };
    }).catch((error: unknown) => {
      // Refs the saver handed out inside the rolled-back transaction were never stored.
      this.deps.saver.forgetThread(threadId);
      throw error;
    });
    // Other instances were told by the statement that stored the events (EventLog's announcement), at commit.
    this.deps.bus.publish(announced);
    if (status) this.deps.sessions.announceStatus({ threadId, userId }, status);
    return ref;
  }

  /**
   * A message the transcript holds but the state does not (folded into the running summary, or removed) cannot be
   * edited under its id: LangGraph would append it to the state as new while the transcript kept the old text, so
   * the two would disagree and the old text stay searchable.
   */
  private async refuseMessagesOutOfState(client: Queryable, edit: { threadId: string; before: BaseMessage[]; values: unknown }): Promise<void> {
    const { threadId, before, values } = edit;
    const inState = new Set(before.map((message) => message.id));
    const ids = editedMessageIds(values).filter((id) => !inState.has(id));
    const outOfState = await this.deps.transcript.existingIds(threadId, ids, client);
    if (outOfState.length === 0) return;
    throw new AppError(
      "invalid_request",
      `Message ${outOfState.join(", ")} is not in the thread's state any more (folded into the running summary, or removed); only messages in the state can be replaced — add a new message with a new id instead`,
      { details: { message_ids: outOfState } },
    );
  }
}

/** Keys of an edit the graph has no channel for are refused: LangGraph would drop them without a word. */
function assertKnownKeys(graph: { channels: Record<string, unknown> }, values: unknown): void {
  if (!values || typeof values !== "object" || Array.isArray(values)) return;
  const keys = stateKeysOf(graph);
  const unknown = Object.keys(values).filter((key) => !keys.includes(key));
  if (unknown.length > 0) throw new AppError("invalid_request", `values name what this thread's graph does not have: ${unknown.join(", ")} (its keys are ${keys.join(", ") || "none"})`, { details: { unknown } });
}

/**
 * Refuse values whose running summary has the wrong shape. The running summary is read by every later model call: an edit that sets it to something else (a string, an
 * object without `text`) would make every turn of the thread fail until it was edited again. `null` clears it.
 */
export function assertSummaryShape(values: unknown): void {
  const summary = (values as { summary?: unknown } | null | undefined)?.summary;
  if (summary === undefined || summary === null) return;
  const parsed = runningSummarySchema.safeParse(summary);
  if (parsed.success) return;
  throw new AppError("invalid_request", "`summary` must be an object {text: string, message_count: integer ≥ 0, through_message_id: string | null}, or null to clear it", {
    details: parsed.error.issues,
  });
}

/** The ids of the messages an edit's values carry (objects or LangChain messages; a single message or a list). */
function editedMessageIds(values: unknown): string[] {
  const messages = (values as { messages?: unknown } | null | undefined)?.messages;
  const list: unknown[] = Array.isArray(messages) ? messages : messages === undefined ? [] : [messages];
  return list.flatMap((message) => {
    const id = (message as { id?: unknown } | null)?.id;
    return typeof id === "string" ? [id] : [];
  });
}

/**
 * Take the thread's lock, as a submission does, and refuse a busy thread: a run cannot start between this check
 * and the edit's commit (a step still running would write over the edit, or branch from before it).
 */
async function lockIdleThread(client: Queryable, userId: string, threadId: string): Promise<SessionStatus> {
  const { rows } = await client.query<{ status: SessionStatus }>("SELECT status FROM threads WHERE thread_id = $1 AND user_id = $2 FOR NO KEY UPDATE", [threadId, userId]);
  const status = rows[0]?.status;
  if (status === undefined) throw notFound("Thread", threadId);
  if (status === "busy") throw new AppError("thread_busy", "A run is in progress on this thread; update its state when it has finished");
  return status;
}

/**
 * The thread's status after an edit, from its new state, as LangGraph Platform sets it: `interrupted` while nodes are
 * left to run (a question or a breakpoint waits), else `idle` — an edit that answers everything frees the thread.
 */
function statusAfterEdit(latest: GraphStateSnapshot): SessionStatus {
  const asking = latest.tasks.some((task) => (task.interrupts?.length ?? 0) > 0);
  return asking || latest.next.length > 0 ? "interrupted" : "idle";
}

/** Messages the edit added (new ids) and those it replaced under an existing id with something the transcript shows differently. */
function diffMessages(before: BaseMessage[], after: BaseMessage[]): { added: BaseMessage[]; replaced: BaseMessage[] } {
  const previous = new Map(before.map((message) => [message.id, message]));
  const added: BaseMessage[] = [];
  const replaced: BaseMessage[] = [];
  for (const message of after) {
    if (message.id === undefined) continue;
    const old = previous.get(message.id);
    if (!old) added.push(message);
    else if (JSON.stringify(toNewTranscriptMessage(old, "")) !== JSON.stringify(toNewTranscriptMessage(message, ""))) replaced.push(message);
  }
  return { added, replaced };
}

function messagesOf(values: unknown): BaseMessage[] {
  return (values as { messages?: BaseMessage[] } | undefined)?.messages ?? [];
}
