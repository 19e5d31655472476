import { type Assistant, DEFAULT_ASSISTANT_ID } from "../assistants/assistant.js";
import type { Queryable } from "../db/database.js";
import type { BaseCheckpointSaver } from "@langchain/langgraph";
import type { EventBus } from "../events/event-bus.js";
import type { TombstoneRegistry } from "../db/tombstone-registry.js";
import type { AssistantService } from "../assistants/assistant-service.js";
import type { ActiveRuns } from "../runs/active-runs.js";
import type { TranscriptMessage } from "../transcript/transcript-message.js";
import { AppError, isAppError } from "../errors/app-error.js";
import { firstMessageId } from "./first-message.js";
import type { TranscriptStore } from "../transcript/transcript-store.js";
import type { Session, SessionPage, SessionSearchFilter } from "./session.js";
import type { SessionStore } from "./session-store.js";
import { type DeletedThreadRunsDeps, finishDeletedThreadRuns, prepareDeletedThreadRuns } from "./deleted-thread-runs.js";
import { withTransaction } from "../db/database.js";
import type pg from "pg";


/** Session use cases shared by the WebSocket and HTTP transports. */
export class SessionService {
  constructor(
    private readonly deps: {
      store: SessionStore;
      transcript: TranscriptStore;
      assistants: AssistantService;
      checkpointer: BaseCheckpointSaver;
      active: ActiveRuns;
      /** Deleted thread ids: written before the checkpoints go, so a late checkpoint write is dropped. */
      tombstones: Pick<TombstoneRegistry, "markDeleted">;
      /** Tells this instance's subscribers of a deleted thread (other instances hear of it from the delete itself). */
      bus: Pick<EventBus, "announceDeleted">;
      pool: pg.Pool;
      /** The thread's active runs and their finishing hooks: a run ended by the delete still sends its webhook. */
      runs: DeletedThreadRunsDeps;
    },
  ) {}

  /** Open the window's session (or the given one), creating it with the assistant's first message. */
  async open(
    userId: string,
    params: { window_id?: string; thread_id?: string; assistant_id?: string; title?: string; metadata?: Record<string, unknown> },
  ): Promise<{ session: Session; created: boolean }> {
    const assistant = await this.deps.assistants.get(userId, params.assistant_id ?? DEFAULT_ASSISTANT_ID);
    const result = await this.deps.store.open({
      userId,
      assistantId: assistant.assistant_id,
      windowId: params.window_id,
      threadId: params.thread_id,
      title: params.title,
      metadata: params.metadata,
    });
    if (result.created && assistant.context.first_message) {
      const opening = { id: firstMessageId(result.session.thread_id), role: "assistant" as const, content: assistant.context.first_message };
      const [stored] = await this.deps.transcript.append({ threadId: result.session.thread_id, runId: null, messages: [opening] });
      // The row was read before the opening message was stored: it has a message now (the web list shows it).
      if (stored) return { ...result, session: { ...result.session, last_message_seq: stored.seq } };
    }
    return result;
  }

  /** Create a session with an explicit id (HTTP); returns null when it exists already. */
  async createWithId(userId: string, params: { thread_id: string; assistant_id?: string; metadata?: Record<string, unknown>; title?: string; window_id?: string }): Promise<Session | null> {
    const assistant = await this.deps.assistants.get(userId, params.assistant_id ?? DEFAULT_ASSISTANT_ID);
    return this.deps.store.createWithId({ userId, assistantId: assistant.assistant_id, threadId: params.thread_id, metadata: params.metadata, title: params.title, windowId: params.window_id });
  }

  /**
   * Create a thread inside the caller's transaction, for an assistant the caller already read (nothing here takes
   * another connection: the embedded database has only one). Null when the id is taken. Once the transaction
   * committed, the caller calls `announceCreated`.
   */
  createIn(db: Queryable, userId: string, params: { thread_id: string; assistant: Assistant; metadata?: Record<string, unknown>; title?: string }): Promise<Session | null> {
    return this.deps.store.createWithId({ userId, assistantId: params.assistant.assistant_id, threadId: params.thread_id, metadata: params.metadata, title: params.title }, db);
  }

  /** Tell this instance's windows of the user of a session `createIn` made, once its transaction committed. */
  announceCreated(session: Session): void {
    this.deps.store.announceCreated(session);
  }

  /** The user's session. */
  get(userId: string, threadId: string): Promise<Session> {
    return this.deps.store.get(userId, threadId);
  }

  /** Whether the user's window is bound to a session already (`open` with it returns that one). */
  windowBound(userId: string, windowId: string): Promise<boolean> {
    return this.deps.store.windowBound(userId, windowId);
  }

  /** Whether the user's session exists (another user's does not). */
  async exists(userId: string, threadId: string): Promise<boolean> {
    try {
      await this.deps.store.get(userId, threadId);
      return true;
    } catch (error) {
      if (isAppError(error) && error.code === "not_found") return false;
      throw error;
    }
  }

  /** The user's sessions, newest activity first. */
  list(userId: string, options: { limit: number; cursor?: string; query?: string }): Promise<SessionPage> {
    return this.deps.store.list(userId, options);
  }

  /** LangGraph's thread search (metadata containment, status). */
  search(userId: string, filter: SessionSearchFilter): Promise<Session[]> {
    return this.deps.store.search(userId, filter);
  }

  /** LangGraph's thread count: the threads `search` would find with the same filters, all pages. */
  count(userId: string, filter: Pick<SessionSearchFilter, "metadata" | "status">): Promise<number> {
    return this.deps.store.count(userId, filter);
  }

  /** Rename or change metadata. */
  update(userId: string, threadId: string, patch: { title?: string; metadata?: Record<string, unknown> }): Promise<Session> {
    return this.deps.store.update(userId, threadId, patch);
  }

  /**
   * Delete the session and its checkpoints; a run still executing on it is cancelled first, and every pending or
   * running run ends `cancelled` with its finishing hooks (its webhook job commits with the delete). Every socket and
   * stream subscribed to it, here and on other instances, is told (`thread.deleted`) once the delete committed.
   */
  async delete(userId: string, threadId: string): Promise<void> {
    await this.deps.store.get(userId, threadId);
    await this.deps.tombstones.markDeleted([threadId], "deleted");
    // A run executing here stops now; one executing elsewhere loses its lease when its run row disappears.
    this.deps.active.stopThread(threadId, { kind: "cancel", action: "cancel", message: "the thread was deleted" });
    const runs = await prepareDeletedThreadRuns(this.deps.runs, userId, threadId);
    await withTransaction(this.deps.pool, async (client) => {
      await finishDeletedThreadRuns(client, threadId, runs, this.deps.runs.logger);
      await this.deps.store.delete(userId, threadId, { db: client });
    });
    this.deps.store.announceDeleted(userId, threadId);
    // Before the checkpoints go: the thread is gone for its subscribers once its row is (other instances hear of
    // it at that commit too), whether or not removing its checkpoints then succeeds.
    this.deps.bus.announceDeleted(threadId);
    await this.deps.checkpointer.deleteThread(threadId);
  }

  /** The conversation as the user saw it, newest last. */
  async messages(userId: string, threadId: string, options: { limit: number; before?: number }): Promise<{ messages: TranscriptMessage[]; next_before: number | null }> {
    await this.deps.store.get(userId, threadId);
    return this.deps.transcript.list(threadId, options);
  }

  /**
   * Refuse (conflict) run input whose message ids the thread already holds. LangGraph's `add_messages` would replace
   * that message in the state, but the transcript keeps what was said: a message is changed by a state edit
   * (`POST /threads/{id}/state`), which records it as edited.
   */
  async assertNewMessageIds(threadId: string, ids: readonly string[]): Promise<void> {
    const taken = await this.deps.transcript.existingIds(threadId, ids);
    if (taken.length === 0) return;
    throw new AppError("conflict", `Message id ${taken.join(", ")} is already in thread ${threadId}: give a new message a new id, or change that message with a state edit (POST /threads/${threadId}/state)`, {
      details: { message_ids: taken },
    });
  }
}
