import type { BaseCheckpointSaver, CheckpointTuple } from "@langchain/langgraph";
import { type BaseMessage, ToolMessage } from "@langchain/core/messages";
import type pg from "pg";
import { AppError } from "../errors/app-error.js";
import type { RunnableGraph } from "../registry/graph-registry.js";
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
    const tuple = await this.forkPoint(source.thread_id, request.checkpoint_id);
    const graph = await this.deps.threadState.graphOf(userId, source.thread_id);
    const { session } = await this.deps.sessions.open({
      userId,
      assistantId: source.assistant_id,
      title: request.title ?? forkTitle(source.title),
      metadata: { ...inheritedMetadata(source.metadata), forked_from: { thread_id: source.thread_id, checkpoint_id: tuple.checkpoint.id } },
    });
    const target = { configurable: { thread_id: session.thread_id, checkpoint_ns: "" } };
    try {
      const stored = await this.deps.checkpointer.put(target, tuple.checkpoint, { ...tuple.metadata, source: "fork", step: tuple.metadata?.step ?? -1, parents: {} }, tuple.checkpoint.channel_versions);
      const { questions, toolSteps } = splitWrites(tuple.pendingWrites ?? []);
      for (const [taskId, writes] of groupWrites(questions)) await this.deps.checkpointer.putWrites(stored, writes, taskId);
      if (toolSteps.length > 0) await this.applyToolSteps(graph, { source: { configurable: { ...tuple.config.configurable } }, target }, toolSteps);
      const state = await graph.getState(target);
      await this.copyTranscript(source.thread_id, session.thread_id, (state.values as { messages?: unknown } | undefined)?.messages);
      // A fork waiting for an approval waits for it too (the copied interrupt is answerable there); one made in the
      // middle of a turn waits for the user to continue it, as a reply paused at a breakpoint does.
      if (questions.length > 0 || state.next.length > 0) await this.deps.sessions.setStatus({ threadId: session.thread_id, userId }, "interrupted");
      if (request.values !== undefined) await this.deps.stateEdits.update(userId, session.thread_id, { values: request.values });
    } catch (error) {
      await this.discard(userId, session.thread_id);
      throw error;
    }
    return this.deps.sessions.get(userId, session.thread_id);
  }

  /**
   * The checkpoint a fork copies. An input checkpoint holds a message the graph has not taken in yet, which would
   * reach the fork's state on its next run but never its transcript: a fork there starts from before that message
   * (its parent, the previous turn's end), as "fork from here" at the message means.
   */
  private async forkPoint(threadId: string, checkpointId: string | undefined): Promise<CheckpointTuple> {
    const tuple = await this.deps.checkpointer.getTuple({ configurable: { thread_id: threadId, checkpoint_ns: "", checkpoint_id: checkpointId } });
    if (!tuple) throw new AppError("not_found", `Checkpoint ${checkpointId ?? "(latest)"} not found`);
    if (tuple.metadata?.source !== "input") return tuple;
    const parentId = tuple.parentConfig?.configurable?.checkpoint_id as string | undefined;
    if (!parentId) throw new AppError("invalid_request", `Checkpoint ${tuple.checkpoint.id} is the thread's first input: there is nothing before it to fork`);
    const parent = await this.deps.checkpointer.getTuple({ configurable: { thread_id: threadId, checkpoint_ns: "", checkpoint_id: parentId } });
    if (!parent) throw new AppError("not_found", `Checkpoint ${parentId} (before input ${tuple.checkpoint.id}) not found`);
    return parent;
  }

  /**
   * Steps that ran tools from the forked checkpoint: what they did happened in the world (an email sent), so the fork
   * keeps their results, applied as their nodes' updates — the fork then stands after them, its next step (the model)
   * still to run, instead of running the tools again or closing their calls as cancelled.
   */
  private async applyToolSteps(graph: RunnableGraph, configs: { source: GraphConfig; target: GraphConfig }, writes: PendingWrite[]): Promise<void> {
    const tasks = (await graph.getState(configs.source)).tasks;
    for (const [taskId, taskWrites] of groupWrites(writes)) {
      const values = Object.fromEntries(taskWrites.filter(([channel]) => !channel.startsWith("__") && !channel.startsWith("branch:")));
      await graph.updateState(configs.target, values, tasks.find((task) => task.id === taskId)?.name);
    }
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

/** Metadata that says how the source itself came to be; a fork was made from it, so it is not carried over. */
const SOURCE_ONLY_METADATA = new Set(["imported"]);

/** The source's metadata a fork keeps: all but `imported` (a fork is no import; `forked_from` names its origin). */
function inheritedMetadata(metadata: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(metadata).filter(([key]) => !SOURCE_ONLY_METADATA.has(key)));
}

/** A fork's default title: its source's marked `(fork)` once (a fork of a fork does not pile the marks up). */
function forkTitle(title: string | null): string {
  const base = title ?? "Session";
  return /\(fork\)$/.test(base) ? base : `${base} (fork)`;
}

type PendingWrite = [string, string, unknown];

type GraphConfig = { configurable: Record<string, unknown> };

/**
 * The pending writes of the forked checkpoint a fork keeps: a pending question's (`__interrupt__` and its task's other
 * writes, so it stays answerable there), and those of steps that ran tools (`applyToolSteps`). The others are what the
 * source went on to do from that checkpoint (the model's reply), which LangGraph applies when reading a thread's
 * latest state: the fork would show a reply it never had, its next run skipping the step it should take.
 */
function splitWrites(pending: PendingWrite[]): { questions: PendingWrite[]; toolSteps: PendingWrite[] } {
  const asking = new Set(pending.filter(([, channel]) => channel === "__interrupt__").map(([taskId]) => taskId));
  const tooling = new Set(pending.filter(([taskId, channel, value]) => !asking.has(taskId) && channel === "messages" && holdsToolResult(value)).map(([taskId]) => taskId));
  return {
    questions: pending.filter(([taskId, channel]) => asking.has(taskId) && channel !== "__error__"),
    toolSteps: pending.filter(([taskId]) => tooling.has(taskId)),
  };
}

function holdsToolResult(value: unknown): boolean {
  return (Array.isArray(value) ? value : [value]).some((message) => ToolMessage.isInstance(message));
}

function groupWrites(pending: PendingWrite[]): Map<string, [string, unknown][]> {
  const groups = new Map<string, [string, unknown][]>();
  for (const [taskId, channel, value] of pending) {
    const list = groups.get(taskId) ?? [];
    list.push([channel, value]);
    groups.set(taskId, list);
  }
  return groups;
}
