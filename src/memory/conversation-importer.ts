import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { DEFAULT_ASSISTANT_ID } from "../assistants/assistant.js";
import { randomUUID } from "node:crypto";
import { autoTitle } from "../sessions/auto-title.js";
import { performance } from "node:perf_hooks";
import type pg from "pg";
import type { AssistantService } from "../assistants/assistant-service.js";
import { type AssistantSettings, systemPromptOf } from "../assistants/assistant-settings.js";
import { withTransaction } from "../db/database.js";
import { redactSecrets } from "../agent/model-call-error.js";
import { AppError } from "../errors/app-error.js";
import type { Session } from "../sessions/session.js";
import type { SessionService } from "../sessions/session-service.js";
import type { ThreadStateService } from "../sessions/thread-state-service.js";
import { parseConversationJsonlYielding } from "../transcript/conversation-jsonl.js";
import { appendImportedRows, type ImportedRow } from "../transcript/transcript-bulk-writer.js";
import { resolveContextPolicy } from "./context-policy.js";
import { buildWorkingContext, toGraphMessages } from "./imported-context.js";
import type { RunningSummary } from "./running-summary.js";

/** Where an import gets the assistant's model (the ModelProvider satisfies it). */
export interface ModelSource {
  /** The model that writes summaries (the assistant's, without its reply cap). */
  summaryModel(settings: AssistantSettings): Promise<BaseChatModel>;
  modelFor(settings: AssistantSettings): string;
}

/** What the importer talks to. */
export interface ConversationImporterDeps {
  pool: pg.Pool;
  sessions: SessionService;
  assistants: AssistantService;
  threadState: ThreadStateService;
  models: ModelSource;
  /** Told to forget a thread whose import rolled back (its refs were never stored). */
  saver: { forgetThread(threadId: string): void };
}

/** An import: the JSONL text and where it goes. */
export interface ImportRequest {
  userId: string;
  /** JSONL, see src/transcript/conversation-jsonl.ts. */
  text: string;
  /** @default "chat" */
  assistantId?: string;
  title?: string;
  /** The speaker who is the assistant, for speaker-only lines. */
  assistantSpeaker?: string;
  metadata?: Record<string, unknown>;
}

/** What an import did. */
export interface ImportResult {
  thread: Session;
  messages: number;
  turns: number;
  sessions: number;
  /** Messages left in the working context, and how often older turns were folded into the summary. */
  working_messages: number;
  folds: number;
  summary: RunningSummary | null;
  checkpoint_id: string | null;
  duration_ms: number;
  turns_per_second: number;
}

/**
 * Loads a recorded conversation into a new thread as if it had been chatted: every line becomes a transcript row
 * (searchable, with its original timestamp, speaker and session), and the graph state gets the working context
 * and running summary the model node would have built — written once, through the checkpointer
 * (`updateState` as the model node), so replay and fork work. No model call per turn: with the scripted fake
 * model none at all, otherwise one per fold.
 */
export class ConversationImporter {
  constructor(private readonly deps: ConversationImporterDeps) {}

  /**
   * Import into a new thread of the user, all or nothing: the working context and summary are built first (the only
   * model calls), then the thread, its transcript and its checkpoint are written in one transaction. Until it
   * commits the thread is invisible — not listed, searched or runnable — and a failure or a crash leaves nothing.
   */
  async import(request: ImportRequest): Promise<ImportResult> {
    const started = performance.now();
    const lines = await parseConversationJsonlYielding(request.text, { assistantSpeaker: request.assistantSpeaker, now: new Date() });
    if (lines.length === 0) throw new AppError("invalid_request", "The conversation has no messages");
    const assistant = await this.deps.assistants.get(request.userId, request.assistantId ?? DEFAULT_ASSISTANT_ID);
    const rows: ImportedRow[] = lines.map((line) => ({ ...line, id: randomUUID() }));
    const sessions = new Set(rows.map((row) => row.session).filter((session) => session !== undefined)).size;
    const built = await this.buildContext(rows, assistant.context).catch((error: unknown) => {
      // The summaries are the import's only model calls: their failure is the provider's, not ours (nothing was created).
      if (error instanceof Error && error.name === "AppError") throw error;
      throw new AppError("model_error", redactSecrets(`the running summary could not be written: ${error instanceof Error ? error.message : String(error)}`), { cause: error });
    });
    const threadId = randomUUID();
    const written = await withTransaction(this.deps.pool, async (client) => {
      const thread = await this.deps.sessions.createIn(client, request.userId, {
        thread_id: threadId,
        assistant,
        // Untitled: titled as if chatted (its first user message), not by the next message sent to it.
        title: request.title ?? autoTitle(rows.find((row) => row.role === "user")?.content ?? ""),
        metadata: { ...request.metadata, imported: { messages: rows.length, sessions, at: new Date().toISOString() } },
      });
      if (!thread) throw new AppError("conflict", "Could not create the thread");
      await appendImportedRows(client, threadId, rows);
      const values = { messages: built.working, ...(built.summary ? { summary: built.summary } : {}) };
      return this.deps.threadState.updateOn(await this.deps.threadState.graphForAssistant(assistant), { thread_id: threadId, values, as_node: "model", transaction: client });
    }).catch((error: unknown) => {
      // Refs the saver handed out inside the rolled-back transaction were never stored.
      this.deps.saver.forgetThread(threadId);
      throw error;
    });
    // A bulk load changes the transcript's statistics a lot, and the embedded database never analyzes by
    // itself. Columns only: the expression index's statistics would recompute thousands of search vectors.
    await this.deps.pool.query("ANALYZE messages (thread_id, seq, created_at)");
    const duration = performance.now() - started;
    const thread = await this.deps.sessions.get(request.userId, threadId);
    // Committed: the user's other windows list it now (other instances heard of it at the commit).
    this.deps.sessions.announceCreated(thread);
    return {
      thread,
      messages: rows.length,
      turns: built.turns,
      sessions,
      working_messages: built.working.length,
      folds: built.folds,
      summary: built.summary ?? null,
      checkpoint_id: written.checkpoint_id,
      duration_ms: Math.round(duration),
      turns_per_second: Math.round((built.turns / Math.max(duration, 1)) * 1000),
    };
  }

  /** The working context and running summary the conversation would have had (summaries by the model, if any). */
  private async buildContext(rows: ImportedRow[], settings: AssistantSettings) {
    // Only summaries are written while importing: the summary model (no reply cap).
    const model = await this.deps.models.summaryModel(settings);
    const policy = await resolveContextPolicy({ model, modelSpec: this.deps.models.modelFor(settings), contextBudget: settings.context_budget });
    return buildWorkingContext(toGraphMessages(rows), { policy, systemPrompt: systemPromptOf(settings), model });
  }
}
