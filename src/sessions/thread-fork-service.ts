import type { BaseCheckpointSaver } from "@langchain/langgraph";
import type { BaseMessage } from "@langchain/core/messages";
import type pg from "pg";
import { AppError } from "../errors/app-error.js";
import type { TranscriptStore } from "../transcript/transcript-store.js";
import type { Session } from "./session.js";
import type { SessionStore } from "./session-store.js";
import type { ThreadStateService } from "./thread-state-service.js";

/**
 * Forks a thread at a checkpoint into a new thread of the same user and assistant: the checkpoint (with its
 * pending writes, so an interrupt stays answerable) is copied through the checkpointer, optional values are
 * applied on top, and the transcript up to that state (folded turns included) is copied so the fork reads naturally.
 */
export class ThreadForkService {
  constructor(
    private readonly deps: { pool: pg.Pool; sessions: SessionStore; threadState: ThreadStateService; checkpointer: BaseCheckpointSaver; transcript: TranscriptStore },
  ) {}

  /** Fork at `checkpoint_id` (the latest when omitted). */
  async fork(userId: string, request: { thread_id: string; checkpoint_id?: string; values?: unknown; title?: string }): Promise<Session> {
    const source = await this.deps.sessions.get(userId, request.thread_id);
    const graph = await this.deps.threadState.graphOf(userId, source.thread_id);
    const tuple = await this.deps.checkpointer.getTuple({ configurable: { thread_id: source.thread_id, checkpoint_ns: "", checkpoint_id: request.checkpoint_id } });
    if (!tuple) throw new AppError("not_found", `Checkpoint ${request.checkpoint_id ?? "(latest)"} not found`);
    const { session } = await this.deps.sessions.open({
      userId,
      assistantId: source.assistant_id,
      title: request.title ?? `${source.title ?? "Session"} (fork)`,
      metadata: { ...source.metadata, forked_from: { thread_id: source.thread_id, checkpoint_id: tuple.checkpoint.id } },
    });
    const target = { configurable: { thread_id: session.thread_id, checkpoint_ns: "" } };
    const stored = await this.deps.checkpointer.put(target, tuple.checkpoint, { ...tuple.metadata, source: "fork", step: tuple.metadata?.step ?? -1, parents: {} }, tuple.checkpoint.channel_versions);
    for (const [taskId, writes] of groupWrites(tuple.pendingWrites ?? [])) await this.deps.checkpointer.putWrites(stored, writes, taskId);
    // A fork of a thread waiting for an approval waits for it too (the copied interrupt is answerable there).
    if ((tuple.pendingWrites ?? []).some(([, channel]) => channel === "__interrupt__")) await this.deps.sessions.setStatus({ threadId: session.thread_id, userId }, "interrupted");
    if (request.values !== undefined) await graph.updateState({ configurable: { thread_id: session.thread_id } }, request.values);
    await this.copyTranscript(source.thread_id, session.thread_id, tuple.checkpoint.channel_values.messages);
    return this.deps.sessions.get(userId, session.thread_id);
  }

  private async copyTranscript(fromThread: string, toThread: string, messages: unknown): Promise<void> {
    const ids = Array.isArray(messages) ? (messages as BaseMessage[]).map((message) => message.id).filter((id): id is string => typeof id === "string") : [];
    await this.deps.transcript.copyHistory({ fromThread, toThread, messageIds: ids });
  }
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
