import type { BaseCheckpointSaver } from "@langchain/langgraph";
import { type BaseMessage, ToolMessage } from "@langchain/core/messages";
import type pg from "pg";
import { AppError } from "../errors/app-error.js";
import type { TranscriptStore } from "../transcript/transcript-store.js";
import type { Session } from "./session.js";
import type { SessionStore } from "./session-store.js";
import { assertSummaryShape, type StateEditService } from "./state-edit-service.js";
import type { ThreadStateService } from "./thread-state-service.js";

/**
 * Forks a thread at a checkpoint into a new thread of the same user and assistant: the checkpoint (with a pending
 * question and tools' results, `keptWrites`) is copied through the checkpointer, the transcript up to that state
 * (folded turns included) is copied so the fork reads naturally, and optional values are applied on top as a state
 * edit is (checked the same way; the messages they add join the transcript). A fork that fails part-way is removed.
 */
export class ThreadForkService {
  constructor(
    private readonly deps: {
      pool: pg.Pool;
      sessions: SessionStore;
      threadState: ThreadStateService;
      checkpointer: BaseCheckpointSaver;
      transcript: TranscriptStore;
      stateEdits: StateEditService;
    },
  ) {}

  /** Fork at `checkpoint_id` (the latest when omitted). */
  async fork(userId: string, request: { thread_id: string; checkpoint_id?: string; values?: unknown; title?: string }): Promise<Session> {
    const source = await this.deps.sessions.get(userId, request.thread_id);
    if (request.values !== undefined) assertSummaryShape(request.values);
    const tuple = await this.deps.checkpointer.getTuple({ configurable: { thread_id: source.thread_id, checkpoint_ns: "", checkpoint_id: request.checkpoint_id } });
    if (!tuple) throw new AppError("not_found", `Checkpoint ${request.checkpoint_id ?? "(latest)"} not found`);
    const { session } = await this.deps.sessions.open({
      userId,
      assistantId: source.assistant_id,
      title: request.title ?? forkTitle(source.title),
      metadata: { ...source.metadata, forked_from: { thread_id: source.thread_id, checkpoint_id: tuple.checkpoint.id } },
    });
    try {
      const target = { configurable: { thread_id: session.thread_id, checkpoint_ns: "" } };
      const stored = await this.deps.checkpointer.put(target, tuple.checkpoint, { ...tuple.metadata, source: "fork", step: tuple.metadata?.step ?? -1, parents: {} }, tuple.checkpoint.channel_versions);
      const kept = keptWrites(tuple.pendingWrites ?? []);
      for (const [taskId, writes] of groupWrites(kept)) await this.deps.checkpointer.putWrites(stored, writes, taskId);
      // A fork of a thread waiting for an approval waits for it too (the copied interrupt is answerable there).
      if (kept.some(([, channel]) => channel === "__interrupt__")) await this.deps.sessions.setStatus({ threadId: session.thread_id, userId }, "interrupted");
      await this.copyTranscript(source.thread_id, session.thread_id, tuple.checkpoint.channel_values.messages);
      if (request.values !== undefined) await this.deps.stateEdits.update(userId, session.thread_id, { values: request.values });
    } catch (error) {
      await this.discard(userId, session.thread_id);
      throw error;
    }
    return this.deps.sessions.get(userId, session.thread_id);
  }

  /** Remove a fork that failed part-way (its values refused, say): no half-made session is left behind. */
  private async discard(userId: string, threadId: string): Promise<void> {
    await this.deps.sessions.delete(userId, threadId).catch(() => undefined);
    await this.deps.checkpointer.deleteThread(threadId).catch(() => undefined);
  }

  private async copyTranscript(fromThread: string, toThread: string, messages: unknown): Promise<void> {
    const ids = Array.isArray(messages) ? (messages as BaseMessage[]).map((message) => message.id).filter((id): id is string => typeof id === "string") : [];
    await this.deps.transcript.copyHistory({ fromThread, toThread, messageIds: ids });
  }
}

/** A fork's default title: its source's marked `(fork)` once (a fork of a fork does not pile the marks up). */
function forkTitle(title: string | null): string {
  const base = title ?? "Session";
  return /\(fork\)$/.test(base) ? base : `${base} (fork)`;
}

/**
 * The pending writes a fork keeps: a pending question's (`__interrupt__`, so it stays answerable there), and those
 * of a step that ran tools — what they did happened in the world (an email sent), so the fork keeps their results
 * rather than closing the calls as cancelled. The others are what the source went on to do from that checkpoint
 * (the model's reply, the next input), which LangGraph applies when reading a thread's latest state: the fork would
 * show a reply it never had, its next run skipping the step it should take.
 */
function keptWrites(pending: [string, string, unknown][]): [string, string, unknown][] {
  const kept = new Set(pending.filter(([, channel, value]) => channel === "__interrupt__" || (channel === "messages" && holdsToolResult(value))).map(([taskId]) => taskId));
  return pending.filter(([taskId, channel]) => kept.has(taskId) && channel !== "__error__");
}

function holdsToolResult(value: unknown): boolean {
  return (Array.isArray(value) ? value : [value]).some((message) => ToolMessage.isInstance(message));
}

function groupWrites(pending: [string, string, unknown][]): Map<string, [string, unknown][]> {
  const groups = new Map<string, [string, unknown][]>();
  for (const [taskId, channel, value] of pending) {
    const list = groups.get(taskId) ?? [];
    list.push([channel, value]);
    groups.set(taskId, list);
  }
  return groups;
}
