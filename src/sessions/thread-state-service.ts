import { AIMessage, type BaseMessage } from "@langchain/core/messages";
import type { Assistant } from "../assistants/assistant.js";
import type { AssistantService } from "../assistants/assistant-service.js";
import { SAVER_PREFETCHED_KEY, SAVER_TRANSACTION_KEY } from "../checkpoint/saver-config-keys.js";
import type { ThreadlineSaver } from "../checkpoint/threadline-saver.js";
import type { Queryable } from "../db/database.js";
import { AppError } from "../errors/app-error.js";
import type { PendingInterrupt } from "../events/thread-event.js";
import type { GraphRegistry, GraphStateSnapshot, RunnableGraph } from "../registry/graph-registry.js";
import { serializeValues } from "../transcript/serialize-values.js";
import { pendingInterrupts } from "./pending-interrupts.js";
import type { Session } from "./session.js";
import type { SessionStore } from "./session-store.js";

/** A state edit: values written as if `as_node` had produced them, onto `checkpoint_id` (default: the latest). */
export type StateChange = { values: unknown; as_node?: string; checkpoint_id?: string };

/** A checkpoint address, as LangGraph Platform returns it. */
export type CheckpointRef = { thread_id: string; checkpoint_ns: string; checkpoint_id: string | null };

/** Which checkpoints a history reads (LangGraph's `POST /threads/{id}/history` body). */
export interface HistoryOptions {
  limit: number;
  /** Exclusive: only checkpoints older than this one. */
  before?: string;
  /** Only checkpoints whose metadata contains these entries. */
  metadata?: Record<string, unknown>;
  /** A checkpoint (that one alone) and/or a subgraph's namespace to read instead of the thread's root. */
  checkpoint?: { checkpoint_id?: string; checkpoint_ns?: string; checkpoint_map?: Record<string, unknown> };
}

/** A thread state in LangGraph Platform's shape, plus the approvals it waits for. */
export interface ThreadState {
  values: unknown;
  next: string[];
  tasks: unknown[];
  checkpoint: CheckpointRef;
  parent_checkpoint: CheckpointRef | null;
  metadata: Record<string, unknown>;
  created_at: string | null;
  interrupts: PendingInterrupt[];
}

/** One entry of a thread's timeline: enough to list and pick checkpoints without loading their values. */
export interface CheckpointSummary {
  checkpoint_id: string;
  parent_checkpoint_id: string | null;
  created_at: string | null;
  step: number | null;
  source: string | null;
  /** Nodes whose writes produced this checkpoint (empty for input and update checkpoints). */
  nodes: string[];
  next: string[];
  message_count: number;
  last_message: LastMessageSummary | null;
}

/** The newest message at a checkpoint, cut short; `tool_calls` names the tools an assistant message calls. */
export interface LastMessageSummary {
  /** The message's id (the transcript's): which message it is, e.g. the one a reply answers. */
  id?: string;
  role: string;
  text: string;
  /** Present only when the message calls tools: such messages often have no text at all. */
  tool_calls?: string[];
}

/** A page of the timeline; `next_before` is the `before` of the next (older) page, null after the oldest. */
export interface CheckpointPage {
  checkpoints: CheckpointSummary[];
  next_before: string | null;
}

/** The most threads whose checkpoints `latestStates` reads in one query. */
export const STATE_READ_BATCH = 100;

/** Reads and edits checkpointed graph state of a user's thread, through its assistant's graph. */
export class ThreadStateService {
  constructor(private readonly deps: { sessions: SessionStore; assistants: AssistantService; registry: GraphRegistry; checkpointer: Pick<ThreadlineSaver, "latestTuples" | "getTuple"> }) {}

  /** The latest state, or the state at a checkpoint. */
  async get(userId: string, threadId: string, checkpointId?: string): Promise<ThreadState> {
    const graph = await this.graphOf(userId, threadId);
    const snapshot = await graph.getState({ configurable: { thread_id: threadId, checkpoint_id: checkpointId } });
    // An unknown checkpoint id yields an empty snapshot with no creation time.
    if (checkpointId && !snapshot.createdAt) throw new AppError("not_found", `Checkpoint ${checkpointId} not found`);
    return toThreadState(threadId, snapshot);
  }

  /**
   * The latest state of each of the user's sessions (as `get` gives it), by thread id: their assistants in one query,
   * their checkpoints in one query per `STATE_READ_BATCH` threads, each state then built by its graph as `get` builds
   * it (pending writes and interrupts included). A session whose state cannot be read — its assistant is not the
   * user's, or its graph is no longer declared — is absent, where `get` answers not_found.
   */
  async latestStates(userId: string, sessions: readonly Session[]): Promise<Map<string, ThreadState>> {
    const graphs = await this.graphsOf(userId, sessions.map((session) => session.assistant_id));
    const readable = sessions.filter((session) => graphs.has(session.assistant_id));
    const states = new Map<string, ThreadState>();
    for (let start = 0; start < readable.length; start += STATE_READ_BATCH) {
      const batch = readable.slice(start, start + STATE_READ_BATCH);
      const tuples = await this.deps.checkpointer.latestTuples(batch.map((session) => session.thread_id));
      for (const session of batch) {
        const prefetched = { tuple: tuples.get(session.thread_id) };
        const snapshot = await graphs.get(session.assistant_id)?.getState({ configurable: { thread_id: session.thread_id, [SAVER_PREFETCHED_KEY]: prefetched } });
        if (snapshot) states.set(session.thread_id, toThreadState(session.thread_id, snapshot));
      }
    }
    return states;
  }

  /** The graph of each assistant id the user can read and whose graph is declared, by assistant id. */
  private async graphsOf(userId: string, assistantIds: readonly string[]): Promise<Map<string, RunnableGraph>> {
    const graphs = new Map<string, RunnableGraph>();
    for (const [assistantId, assistant] of await this.deps.assistants.getMany(userId, [...new Set(assistantIds)])) {
      if (this.deps.registry.has(assistant.graph_id)) graphs.set(assistantId, await this.graphForAssistant(assistant));
    }
    return graphs;
  }

  /** Past states, newest first. */
  async history(userId: string, threadId: string, options: HistoryOptions): Promise<ThreadState[]> {
    await this.assertBefore(threadId, options.before);
    const states: ThreadState[] = [];
    for await (const snapshot of this.snapshots(await this.graphOf(userId, threadId), threadId, options)) states.push(toThreadState(threadId, snapshot));
    return states;
  }

  /** The timeline: checkpoints newest first, summarised, with the cursor of the next page. */
  async listCheckpoints(userId: string, threadId: string, options: { limit: number; before?: string }): Promise<CheckpointPage> {
    await this.assertBefore(threadId, options.before);
    const snapshots: GraphStateSnapshot[] = [];
    // One extra (older) snapshot tells which nodes produced the page's oldest checkpoint, and that there is a next page.
    for await (const snapshot of this.snapshots(await this.graphOf(userId, threadId), threadId, { ...options, limit: options.limit + 1 })) snapshots.push(snapshot);
    const summaries = snapshots.map(summarise);
    // LangGraph JS does not record writes in checkpoint metadata: the nodes that ran are the parent's `next`.
    for (const [index, summary] of summaries.entries()) {
      const parent = summaries[index + 1];
      if (parent && parent.checkpoint_id === summary.parent_checkpoint_id && summary.source === "loop") summary.nodes = parent.next;
    }
    const checkpoints = summaries.slice(0, options.limit);
    // `before` is exclusive, so the page's oldest checkpoint is where the next page starts.
    const nextBefore = summaries.length > options.limit ? (checkpoints.at(-1)?.checkpoint_id ?? null) : null;
    return { checkpoints, next_before: nextBefore };
  }

  /**
   * A page cursor (`before`) must be a checkpoint of the thread: LangGraph reads an unknown one as no bound at all
   * and answers the whole history from the newest, as if it were the first page.
   */
  private async assertBefore(threadId: string, before: string | undefined): Promise<void> {
    if (before === undefined) return;
    const tuple = await this.deps.checkpointer.getTuple({ configurable: { thread_id: threadId, checkpoint_ns: "", checkpoint_id: before } });
    if (!tuple) throw new AppError("not_found", `Checkpoint ${before} not found (the page cursor \`before\` must be a checkpoint of this thread)`, { details: { before } });
  }

  /** Write values into the state as if `asNode` had produced them (LangGraph's update_state). */
  async update(userId: string, threadId: string, change: StateChange): Promise<CheckpointRef> {
    return this.updateOn(await this.graphOf(userId, threadId), { ...change, thread_id: threadId });
  }

  /**
   * `update` on a graph already resolved for the user's thread; inside `transaction` when given (nothing here then
   * takes another connection: the embedded database has only one).
   */
  async updateOn(graph: RunnableGraph, change: StateChange & { thread_id: string; transaction?: Queryable }): Promise<CheckpointRef> {
    const { thread_id: threadId, transaction } = change;
    const configurable = { thread_id: threadId, checkpoint_id: change.checkpoint_id, ...(transaction ? { [SAVER_TRANSACTION_KEY]: transaction } : {}) };
    const config = await graph.updateState({ configurable }, change.values, change.as_node);
    const checkpointId = config.configurable?.checkpoint_id;
    return { thread_id: threadId, checkpoint_ns: "", checkpoint_id: typeof checkpointId === "string" ? checkpointId : null };
  }

  /** The graph an assistant's threads run on (for a thread not visible yet: an import's, inside its transaction). */
  async graphForAssistant(assistant: Assistant): Promise<RunnableGraph> {
    return this.deps.registry.resolve(assistant.graph_id, assistant.context);
  }

  /** The graph a user's thread runs on (not_found when the thread is not theirs). */
  async graphOf(userId: string, threadId: string): Promise<RunnableGraph> {
    const session = await this.deps.sessions.get(userId, threadId);
    const assistant = await this.deps.assistants.get(userId, session.assistant_id);
    return this.deps.registry.resolve(assistant.graph_id, assistant.context);
  }

  private snapshots(graph: RunnableGraph, threadId: string, options: HistoryOptions): AsyncIterableIterator<GraphStateSnapshot> {
    const before = options.before ? { configurable: { thread_id: threadId, checkpoint_id: options.before } } : undefined;
    // The thread id last: a `checkpoint` from the request never points at another thread.
    const configurable = { ...options.checkpoint, thread_id: threadId };
    return graph.getStateHistory({ configurable }, { limit: options.limit, before, ...(options.metadata ? { filter: options.metadata } : {}) });
  }
}

function checkpointRef(threadId: string, config: { configurable?: Record<string, unknown> } | undefined): CheckpointRef | null {
  if (!config?.configurable) return null;
  const { checkpoint_ns: namespace, checkpoint_id: checkpointId } = config.configurable;
  return { thread_id: threadId, checkpoint_ns: typeof namespace === "string" ? namespace : "", checkpoint_id: typeof checkpointId === "string" ? checkpointId : null };
}

function toThreadState(threadId: string, snapshot: GraphStateSnapshot): ThreadState {
  return {
    values: serializeValues(snapshot.values ?? {}),
    next: snapshot.next,
    tasks: serializeValues(snapshot.tasks) as unknown[],
    checkpoint: checkpointRef(threadId, snapshot.config) ?? { thread_id: threadId, checkpoint_ns: "", checkpoint_id: null },
    parent_checkpoint: checkpointRef(threadId, snapshot.parentConfig),
    metadata: snapshot.metadata ?? {},
    created_at: snapshot.createdAt ?? null,
    interrupts: pendingInterrupts(snapshot),
  };
}

const ROLE_BY_TYPE: Record<string, string> = { human: "user", ai: "assistant", tool: "tool", system: "system" };

function summarise(snapshot: GraphStateSnapshot): CheckpointSummary {
  const messages = ((snapshot.values as { messages?: BaseMessage[] } | undefined)?.messages ?? []);
  const last = messages.at(-1);
  const metadata = snapshot.metadata ?? {};
  return {
    checkpoint_id: checkpointRef("", snapshot.config)?.checkpoint_id ?? "",
    parent_checkpoint_id: checkpointRef("", snapshot.parentConfig)?.checkpoint_id ?? null,
    created_at: snapshot.createdAt ?? null,
    step: typeof metadata.step === "number" ? metadata.step : null,
    source: typeof metadata.source === "string" ? metadata.source : null,
    nodes: [],
    next: snapshot.next,
    message_count: messages.length,
    last_message: last ? summariseMessage(last) : null,
  };
}

function summariseMessage(message: BaseMessage): LastMessageSummary {
  const summary: LastMessageSummary = { ...(message.id ? { id: message.id } : {}), role: ROLE_BY_TYPE[message.getType()] ?? message.getType(), text: message.text.slice(0, 200) };
  const toolCalls = AIMessage.isInstance(message) ? (message.tool_calls ?? []).map((call) => call.name) : [];
  if (toolCalls.length > 0) summary.tool_calls = toolCalls;
  return summary;
}
