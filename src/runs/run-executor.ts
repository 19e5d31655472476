import { type LatestKnown, type RunStart, SAVER_LATEST_KNOWN_KEY, SAVER_RUN_ID_KEY, SAVER_RUN_START_KEY, SAVER_WRITE_GATE_KEY } from "../checkpoint/saver-config-keys.js";
import type { BaseCheckpointSaver } from "@langchain/langgraph";
import type pg from "pg";
import { withAgentContext } from "../agent/agent-context.js";
import type { ModelCallError } from "../agent/model-call-error.js";
import type { AssistantService } from "../assistants/assistant-service.js";
import type { Assistant } from "../assistants/assistant.js";
import { type Queryable, withTransaction } from "../db/database.js";
import type { EventBus } from "../events/event-bus.js";
import type { EventLog } from "../events/event-log.js";
import { RunEventPublisher } from "../events/event-publisher.js";
import type { NewThreadEvent, PendingInterrupt, TokenUsage } from "../events/thread-event.js";
import type { Logger } from "../logger.js";
import type { ModelProvider } from "../models/model-provider.js";
import type { GraphRegistry, RunnableGraph } from "../registry/graph-registry.js";
import { firstMessageId } from "../sessions/first-message.js";
import { pendingInterrupts } from "../sessions/pending-interrupts.js";
import type { ItemStore } from "../store/item-store.js";
import { UserStore } from "../store/user-store.js";
import type { ToolDefinition } from "../tools/tool-definition.js";
import type { TranscriptMessage } from "../transcript/transcript-message.js";
import type { TranscriptStore } from "../transcript/transcript-store.js";
import type { ActiveRuns } from "./active-runs.js";
import { type CommitGate, NodeStartGate } from "./commit-gate.js";
import { planGraphInput, startsFromKnownState } from "./graph-input.js";
import { keepLease, RunStopError, STOPPED_ELSEWHERE, stopReasonOf } from "./lease-keeper.js";
import type { Run } from "./run.js";
import type { RunDurability } from "./run-config.js";
import type { RunHooks } from "./run-hooks.js";
import type { RunStore } from "./run-store.js";
import { finalEvent, findModelError, type Outcome, toFailure } from "./run-outcome.js";
import { runAgentContext } from "./run-agent-context.js";
import { recursionLimitOf, runConfigurable } from "./run-configurable.js";
import { reducedKeys, runStreamModes } from "./run-stream-modes.js";
import { type DroppedChunk, StreamTranslator } from "./stream-translator.js";
import { TranscriptReconciler } from "./transcript-reconciler.js";

/** Everything the executor talks to. */
export interface RunExecutorDeps {
  pool: pg.Pool;
  registry: GraphRegistry;
  assistants: AssistantService;
  models: ModelProvider;
  tools: readonly ToolDefinition[];
  store: RunStore;
  transcript: TranscriptStore;
  eventLog: EventLog;
  bus: EventBus;
  checkpointer: BaseCheckpointSaver;
  /** Long-term store items: each run's graph gets its user's (`getStore()` / `config.store` in a node). */
  itemStore: ItemStore;
  active: ActiveRuns;
  hooks: RunHooks;
  logger: Logger;
  lease: { owner: string; ms: number };
  /** Shortest time between two stores of a run's token deltas. @default DELTA_FLUSH_INTERVAL_MS */
  deltaFlushMs?: number;
  /** When the checkpoints of a run that does not ask are written (`RUN_DURABILITY`). @default "async" */
  durability?: RunDurability;
  /** Longest tool result kept (`TOOL_OUTPUT_MAX_CHARS`). @default DEFAULT_TOOL_OUTPUT_MAX_CHARS */
  toolOutputMaxChars?: number;
  /** Custom events a run stores at most (`RUN_CUSTOM_EVENTS_MAX`). @default unlimited */
  customEventsMax?: number;
}

/** What recording a run's start needs of it: known before its row is inserted (a submission pipelines the two). */
export type RunStartFields = Pick<Run, "run_id" | "thread_id" | "assistant_id" | "attempt" | "kind" | "checkpoint_id" | "input">;

/** How `recordStartIn` records a start: a resumed attempt's, with the input's append and the COMMIT pipelined. */
export interface StartRecording {
  resumed: boolean;
  input?: Promise<TranscriptMessage[]>;
  commit?: () => Promise<void>;
}

/** Events as the event log stored them (with their seq). */
type StoredEvents = Awaited<ReturnType<EventLog["append"]>>;

/** How `RunExecutor.start` begins a run. */
interface StartOptions {
  resumed: boolean;
  started?: StoredEvents;
  assistant?: Assistant;
  /** The thread's previous run as the submission read it (not given: read when needed). */
  previous?: { run: Pick<Run, "status" | "finished_at"> | undefined };
  /**
   * The run is started before its submission's transaction commits (`started` is then what the gate opens with):
   * the graph sets up meanwhile; nodes, checkpoint writes, events and the outcome wait for the commit, and a
   * rollback ends the run with nothing written.
   */
  gate?: CommitGate<StoredEvents>;
}

/** Thrown inside a finish's transaction to roll it back: the run was no longer this instance's to finish. */
const NOT_OURS_TO_FINISH = new Error("the run is no longer ours to finish");

/** Executes claimed runs: streams the graph under a lease, stores and publishes events, records the outcome. */
export class RunExecutor {
  /** Called when a thread may have its next run ready (set by the dispatcher). */
  onThreadFree: (threadId: string) => void = () => undefined;

  private readonly reconciler: TranscriptReconciler;

  constructor(private readonly deps: RunExecutorDeps) {
    this.reconciler = new TranscriptReconciler(deps);
  }

  /**
   * Execute a run this instance has claimed (or taken over, `resumed`), in the background. `started`: the events
   * `recordStartIn` stored in the claim's own transaction (not given: they are recorded first). `assistant`: the
   * run's assistant as its submission just read and validated it (not given: read here).
   */
  start(run: Run, options: StartOptions): void {
    const controller = new AbortController();
    // Taken over after its instance died with a cancel, interrupt or rollback requested (that instance never saw it):
    // it stops as that asks, at once — not resumed to the end, model and tools called again.
    const requested = options.resumed ? run.cancel_requested : null;
    if (requested) controller.abort(new RunStopError({ kind: "cancel", action: requested, message: STOPPED_ELSEWHERE[requested] }));
    const done = this.execute(run, options, controller)
      .catch((error: unknown) => {
        this.deps.logger.error({ err: error, runId: run.run_id }, "run bookkeeping failed");
        return true;
      })
      // Claiming is a transaction of its own: skipped when the finish saw no other run waiting on the thread (a
      // run submitted after that commit is claimed by its own submission; the dispatcher's tick is the backstop).
      .then((othersMayWait) => {
        if (othersMayWait) this.onThreadFree(run.thread_id);
      });
    this.deps.active.add(run.run_id, { threadId: run.thread_id, controller, done });
  }

  /** Run it through; resolves whether another run may be waiting on the thread (false only when the finish saw none). */
  private async execute(run: Run, options: StartOptions, controller: AbortController): Promise<boolean> {
    const log = this.deps.logger.child({ runId: run.run_id, threadId: run.thread_id, userId: run.user_id, attempt: run.attempt });
    const keep = () => keepLease({ store: this.deps.store, runId: run.run_id, lease: this.deps.lease, controller, logger: log });
    let stopLease: () => void = () => undefined;
    // Before its submission commits, a run holds no lease and publishes nothing; `run.started` goes out first.
    const committed = options.gate?.committed.then((started) => {
      this.deps.bus.publish(started);
      stopLease = keep();
    });
    committed?.catch((error: unknown) => controller.abort(error));
    if (!committed) stopLease = keep();
    const publisher = new RunEventPublisher({ log: this.deps.eventLog, bus: this.deps.bus }, { threadId: run.thread_id, runId: run.run_id }, { deltaIntervalMs: this.deps.deltaFlushMs, after: committed });
    try {
      // Other instances hear of stored events from the statement that stored them (EventLog's announcement).
      // A run taken over only to be stopped (`start`) is not started again: its watchers saw it start once, and next
      // see it end as that asked.
      const stopping = options.resumed && run.cancel_requested !== null;
      if (!committed && !stopping) this.deps.bus.publish(options.started ?? (await withTransaction(this.deps.pool, (client) => this.recordStartIn(client, run, { resumed: options.resumed }))));
      if (stopping) log.info({ action: run.cancel_requested }, "run taken over to stop it as requested");
      else log.info({ resumed: options.resumed, beforeCommit: committed !== undefined }, "run started");
      const { outcome, usage, openQuestions } = await this.run(run, { ...options, publisher, signal: controller.signal, committed });
      if (committed && !(await committed.then(() => true, () => false))) {
        // The submission rolled back: the run never existed, and nothing of it was written.
        log.info("run dropped: its submission did not commit");
        return false;
      }
      const reason = stopReasonOf(controller.signal);
      if (reason?.kind === "lease_lost" || reason?.kind === "shutdown") {
        // Someone else owns it now, or the next instance resumes it: leave the run as it is.
        await publisher.drain().catch(() => undefined);
        if (reason.kind === "shutdown") await this.deps.store.renewLease(run.run_id, { ...this.deps.lease, ms: 0 });
        log.info({ reason: reason.kind }, "run left for recovery");
        return true;
      }
      const othersActive = await this.finish(run, { ...outcome, usage }, { publisher, openQuestions });
      // A failure's code and (already scrubbed) message go to the log too: users see them in run.failed, operators here.
      if (outcome.status === "error") log.warn({ status: outcome.status, code: outcome.error?.code, error: outcome.error?.message }, "run finished");
      else log.info({ status: outcome.status }, "run finished");
      return othersActive;
    } finally {
      stopLease();
    }
  }

  /** `openQuestions`, for a run stopped by a cancel: reads which approval questions its thread still waits on. */
  private async run(run: Run, scope: StartOptions & { publisher: RunEventPublisher; signal: AbortSignal; committed?: Promise<void> }): Promise<{ outcome: Outcome; usage: TokenUsage | null; openQuestions?: () => Promise<PendingInterrupt[]> }> {
    let assistant: Assistant | undefined;
    let translator: StreamTranslator | undefined;
    let graph: RunnableGraph | undefined;
    try {
      // The submission's read saves a round trip before the model is called; it is the version the run was checked against.
      const stored = scope.assistant?.assistant_id === run.assistant_id ? scope.assistant : await this.deps.assistants.get(run.user_id, run.assistant_id);
      assistant = await this.deps.assistants.withRunSettings(stored, run.config?.settings);
      const settings = assistant.context;
      // The run's ids and the graph's own configurable keys: a factory gets them (resolve spreads them into its
      // configurable, with the settings), and so does every node.
      const configurable = runConfigurable(run, assistant);
      graph = await this.deps.registry.resolve(assistant.graph_id, settings, configurable);
      translator = new StreamTranslator(
        {
          emit: (event) => scope.publisher.emit(event),
          appendTranscript: async (messages) => {
            await scope.committed;
            return this.deps.transcript.append({ threadId: run.thread_id, runId: run.run_id, messages });
          },
          // A progress report that cannot be stored must not end the run nor go unnoticed: its author reads the log.
          dropChunk: ({ mode, ...dropped }) => this.deps.logger.warn({ runId: run.run_id, threadId: run.thread_id, graphId: assistant?.graph_id, ...dropped }, droppedChunkMessage(mode, dropped.reason)),
        },
        { runId: run.run_id, modelName: this.deps.models.modelFor(settings), subgraphs: run.config?.stream_subgraphs === true, reducedKeys: reducedKeys(graph), ...(this.deps.customEventsMax === undefined ? {} : { customEventsMax: this.deps.customEventsMax }) },
      );
      translator.markCompleted((run.input?.messages ?? []).map((message) => message.id));
      const planOptions = {
        resumed: scope.resumed,
        firstMessage: settings.first_message,
        firstMessageId: firstMessageId(run.thread_id),
        previousRun: () => (scope.previous ? Promise.resolve(scope.previous.run) : this.deps.store.previous(run)),
      };
      // Planning may write (it closes dangling tool calls): only a start from a known state goes before the commit.
      if (scope.committed && !(await startsFromKnownState(run, planOptions))) await scope.committed;
      const plan = await planGraphInput(graph, run, planOptions);
      // Calls left unanswered got results in the state: into the transcript and to every window, like a tools step's.
      if (plan.closed && plan.closed.length > 0) await translator.handle("updates", { tools: { messages: plan.closed } });
      if (scope.resumed && !plan.skip) await this.reconciler.catchUp(run, graph, { translator, publisher: scope.publisher, state: plan.state });
      if (!plan.skip) {
        const agent = await runAgentContext(this.deps, { run, assistant, signal: scope.signal });
        const durability = run.config?.durability ?? this.deps.durability ?? "async";
        const recursionLimit = recursionLimitOf(run, stored);
        const stream = await graph.stream(plan.input, {
          // When the claim knows the latest checkpoint (none on a first run; the previous run's end after a clean
          // finish), LangGraph's read of it is answered without a query (from what this process wrote, if it did).
          configurable: withAgentContext({
            ...configurable,
            ...plan.configurable,
            ...(plan.latestKnown !== undefined ? { [SAVER_LATEST_KNOWN_KEY]: { checkpointId: plan.latestKnown, consumed: false } satisfies LatestKnown } : {}),
            ...(scope.committed ? { [SAVER_WRITE_GATE_KEY]: scope.committed } : {}),
            ...(durability === "exit" ? { [SAVER_RUN_ID_KEY]: run.run_id } : { [SAVER_RUN_START_KEY]: { runId: run.run_id, marked: false } satisfies RunStart }),
          }, agent),
          ...(scope.committed ? { callbacks: [new NodeStartGate(scope.committed)] } : {}),
          // The run's context as given (the assistant's merged with the run's): plain JSON, the graph's own.
          context: settings,
          // Per run, not compiled in: the store is scoped to the run's user, as the tools' context is.
          store: new UserStore(this.deps.itemStore, run.user_id),
          // custom carries the graph's own chunks and each tool call's start (so does tools, for a ToolNode).
          streamMode: runStreamModes(graph, { subgraphs: run.config?.stream_subgraphs === true }),
          // Chunks name the (sub)graph they come from: a subgraph's custom chunks keep their namespace, and its other
          // output is there for a run that asked for stream_subgraphs (StreamTranslator drops it otherwise).
          subgraphs: true,
          signal: scope.signal,
          // By default checkpoints are written in order without waiting for each before the next step starts, so
          // the model starts (and streams) without a round trip per step. The stream ends only once every write is
          // durable; a crash before that leaves output streamed ahead of its checkpoint, which a resumed attempt
          // reconciles (80 kills in the kill -9 loop, no lost or doubled message). A run may ask for "sync" or
          // "exit" (one checkpoint when it ends: a resumed attempt then redoes the whole run).
          durability,
          ...breakpointsOf(run),
          ...(recursionLimit === undefined ? {} : { recursionLimit }),
        });
        for await (const part of stream) {
          const [namespace, mode, chunk] = part as [string[], string, unknown];
          await translator.handle(mode, chunk, namespace);
        }
        translator.flushStateUpdates();
      }
      // A fresh run saw everything in its stream; only a resumed or skipped one must read what the checkpoint holds,
      // and one with breakpoints whether it stopped at one (the stream does not say).
      if (scope.resumed || plan.skip || hasBreakpoints(run)) {
        const state = await graph.getState({ configurable: { thread_id: run.thread_id } });
        if (scope.resumed || plan.skip) await this.reconciler.reconcile(run, state, { publisher: scope.publisher, resumed: scope.resumed });
        const interrupts = pendingInterrupts(state);
        if (interrupts.length > 0) return { outcome: { status: "interrupted", interrupts }, usage: translator.tokenUsage() };
        if (hasBreakpoints(run) && state.next.length > 0) return { outcome: { status: "interrupted", interrupts: [], next: state.next }, usage: translator.tokenUsage() };
        return { outcome: { status: "success", structured: (state.values as { structured_response?: unknown }).structured_response }, usage: translator.tokenUsage() };
      }
      const interrupts = pendingInterrupts({ tasks: [{ id: "", name: "", interrupts: translator.interrupts }] });
      if (interrupts.length > 0) return { outcome: { status: "interrupted", interrupts }, usage: translator.tokenUsage() };
      return { outcome: { status: "success", structured: translator.structuredResponse }, usage: translator.tokenUsage() };
    } catch (error) {
      translator?.flushStateUpdates();
      const spent = (findModelError(error) as ModelCallError | undefined)?.spent;
      if (spent) translator?.countSpent(spent);
      const outcome = toFailure(error, scope.signal);
      const stopped = graph;
      // An answer's run cancelled before its tool finished leaves the question open (it may be answered again).
      const openQuestions = stopped && stopReasonOf(scope.signal)?.kind === "cancel" ? async () => pendingInterrupts(await stopped.getState({ configurable: { thread_id: run.thread_id } })) : undefined;
      return { outcome, usage: translator?.tokenUsage() ?? null, ...(openQuestions ? { openQuestions } : {}) };
    }
  }

  /**
   * `run.started`, the user's input in the transcript and its `message.completed` events are written in one
   * transaction: a crash can never leave the input in the transcript without the event that announces it
   * (a resumed attempt finds the input already there and announces only its own start). `input`: the input's
   * append, already sent in this transaction (`appendInputIn`); `commit`: the transaction's COMMIT, sent right behind
   * the events so that both share one round trip.
   */
  async recordStartIn(client: Queryable, run: RunStartFields, options: StartRecording): Promise<StoredEvents> {
    const { resumed, ...pipelined } = options;
    const input = await (pipelined.input ?? this.appendInputIn(client, run));
    const events: NewThreadEvent[] = [
      { event: "run.started", data: { run_id: run.run_id, assistant_id: run.assistant_id, attempt: run.attempt, resumed, kind: run.kind, checkpoint_id: run.checkpoint_id } },
      ...input.map((message) => ({ event: "message.completed" as const, data: { message } })),
    ];
    const stored = this.deps.eventLog.append({ threadId: run.thread_id, runId: run.run_id, events }, client);
    if (!pipelined.commit) return stored;
    const [result] = await Promise.all([stored, pipelined.commit()]);
    return result;
  }

  /** Append the run's input to the transcript in `client`'s transaction (sent now: it may share a round trip). */
  appendInputIn(client: Queryable, run: Pick<Run, "thread_id" | "run_id" | "input">): Promise<TranscriptMessage[]> {
    const messages = run.input?.messages ?? [];
    return messages.length > 0 ? this.deps.transcript.append({ threadId: run.thread_id, runId: run.run_id, messages }, client) : Promise.resolve([]);
  }

  /** Give up on a run whose instance died (recovery mode `fail`, or too many attempts). */
  async abandon(run: Run): Promise<void> {
    const publisher = new RunEventPublisher({ log: this.deps.eventLog, bus: this.deps.bus }, { threadId: run.thread_id, runId: run.run_id });
    // Not "attempt n of m": in recovery mode `fail` no attempt follows, whatever the limit.
    const tried = run.attempt - 1;
    const error = { code: "worker_lost", message: `the instance executing this run stopped, and it was not resumed (after ${tried} attempt${tried === 1 ? "" : "s"})` };
    await this.finish(run, { status: "error", error, usage: null }, { publisher });
    this.onThreadFree(run.thread_id);
  }

  /**
   * Store the outcome and the final event in one transaction, then publish, then tell listeners. Resolves whether
   * other runs were active on the thread at commit (true too when the run was no longer ours to finish).
   */
  private async finish(run: Run, ended: Outcome & { usage: TokenUsage | null }, after: { publisher: RunEventPublisher; openQuestions?: () => Promise<PendingInterrupt[]> }): Promise<boolean> {
    const { publisher } = after;
    await publisher.drain().catch((error: unknown) => this.deps.logger.warn({ err: error, runId: run.run_id }, "events not stored"));
    if (ended.rollback) await this.rollBack(run, publisher);
    // Read once the run's writes are in (and a rollback done): what the thread waits on now, not when it stopped.
    const open = await after.openQuestions?.().catch((error: unknown) => {
      this.deps.logger.warn({ err: error, runId: run.run_id }, "could not read the approvals still open after a cancel");
      return [];
    });
    const outcome = open && open.length > 0 ? { ...ended, open } : ended;
    const final = finalEvent(run, outcome);
    const writers = await this.deps.hooks.prepareFinish(run, outcome.status, (error) => this.deps.logger.error({ err: error, runId: run.run_id }, "a run-finishing hook failed"));
    const result = await withTransaction(this.deps.pool, async (client) => {
      // The final event is pipelined behind the outcome (one round trip for lock, outcome and event); when the run
      // turns out not to be ours to finish, the transaction rolls back and neither is stored.
      const [finished, stored] = await Promise.all([
        this.deps.store.finishIn(client, { run, owner: this.deps.lease.owner, outcome }),
        this.deps.eventLog.append({ threadId: run.thread_id, runId: run.run_id, events: [final] }, client),
      ]);
      if (!finished) throw NOT_OURS_TO_FINISH;
      for (const write of writers) await this.writeInSavepoint(client, run, () => write(client, finished.run));
      return { stored, finished };
    }).catch((error: unknown) => {
      if (error === NOT_OURS_TO_FINISH) return undefined;
      throw error;
    });
    if (!result) return true;
    this.deps.bus.publish(result.stored);
    this.deps.store.announceStatus(run.user_id, run.thread_id, result.finished.thread);
    this.deps.hooks.emitRunFinished(result.finished.run);
    return result.finished.othersActive;
  }

  /** A hook's write that fails is undone alone (its savepoint) and logged: it never keeps the run from finishing. */
  private async writeInSavepoint(client: pg.PoolClient, run: Run, write: () => Promise<void>): Promise<void> {
    await client.query("SAVEPOINT run_finishing_hook");
    try {
      await write();
      await client.query("RELEASE SAVEPOINT run_finishing_hook");
    } catch (error) {
      await client.query("ROLLBACK TO SAVEPOINT run_finishing_hook");
      this.deps.logger.error({ err: error, runId: run.run_id }, "a run-finishing hook failed to write; the run finishes without it");
    }
  }

  /** Discard a rolled-back run's progress: its transcript rows, and the checkpoints when it was the first run. */
  private async rollBack(run: Run, publisher: RunEventPublisher): Promise<void> {
    const removed = await this.deps.transcript.removeRun(run.thread_id, run.run_id);
    if (removed.length > 0) publisher.emit({ event: "messages.removed", data: { run_id: run.run_id, message_ids: removed } });
    await publisher.drain().catch(() => undefined);
    // "" marks a run that started on a thread without checkpoints: rolling it back empties the thread again.
    if (run.before_checkpoint_id === "") await this.deps.checkpointer.deleteThread(run.thread_id);
    // Otherwise what the run checkpointed goes (it held the thread since its claim found that checkpoint the
    // newest): its input must not stay in the state the next turn's model reads.
    else if (run.before_checkpoint_id && canRollBack(this.deps.checkpointer)) await this.deps.checkpointer.deleteCheckpointsAfter(run.thread_id, run.before_checkpoint_id);
  }
}

/** Whether the checkpointer can undo one run (ThreadlineSaver; LangGraph's own savers cannot). */
function canRollBack(saver: BaseCheckpointSaver): saver is BaseCheckpointSaver & { deleteCheckpointsAfter(threadId: string, checkpointId: string): Promise<number> } {
  return typeof (saver as { deleteCheckpointsAfter?: unknown }).deleteCheckpointsAfter === "function";
}

/** The log line of a dropped chunk: a custom chunk refused or past the run's cap, or a subgraph's output refused. */
function droppedChunkMessage(mode: string, reason: DroppedChunk["reason"]): string {
  if (mode !== "custom") return "subgraph stream chunk dropped";
  return reason === "run_limit" ? "custom stream chunks past the run's limit dropped" : "custom stream chunk dropped";
}

function hasBreakpoints(run: Run): boolean {
  return (run.interrupt_before?.length ?? 0) > 0 || (run.interrupt_after?.length ?? 0) > 0;
}

/** LangGraph's stream options for the run's static breakpoints ("*" for every node). */
function breakpointsOf(run: Run): { interruptBefore?: "*" | string[]; interruptAfter?: "*" | string[] } {
  const option = (nodes: string[] | null) => (nodes?.includes("*") ? ("*" as const) : nodes && nodes.length > 0 ? nodes : undefined);
  const before = option(run.interrupt_before);
  const after = option(run.interrupt_after);
  return { ...(before ? { interruptBefore: before } : {}), ...(after ? { interruptAfter: after } : {}) };
}
