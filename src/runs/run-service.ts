import { randomUUID } from "node:crypto";
import type pg from "pg";
import type { AssistantService } from "../assistants/assistant-service.js";
import { type Assistant, DEFAULT_ASSISTANT_ID } from "../assistants/assistant.js";
import { type Queryable, withTransaction, withTransactionBegun } from "../db/database.js";
import { AppError, notFound } from "../errors/app-error.js";
import type { ClusterNotifier } from "../events/cluster-notifier.js";
import type { EventBus } from "../events/event-bus.js";
import type { EventLog } from "../events/event-log.js";
import { isPendingApproval, type NewThreadEvent } from "../events/thread-event.js";
import type { GraphRegistry } from "../registry/graph-registry.js";
import type { Session } from "../sessions/session.js";
import type { SessionStore } from "../sessions/session-store.js";
import type { ThreadStateService } from "../sessions/thread-state-service.js";
import type { ToolDefinition } from "../tools/tool-definition.js";
import type { ActiveRuns } from "./active-runs.js";
import { CommitGate } from "./commit-gate.js";
import { followRunAssistant, titleFromFirstMessage } from "./submission-session.js";
import { breakpointList, checkRunRequest } from "./run-request-checks.js";
import { answersOf, recordApproval, resumeValueFor } from "./interrupt-answer.js";
import { isActive, type Run, type RunKind } from "./run.js";
import type { RespondRequest, SubmitRunRequest } from "./run-requests.js";
import type { ClaimedRun, RunDispatcher } from "./run-dispatcher.js";
import { type RunHooks, runFinishingHooks } from "./run-hooks.js";
import type { NewRun, RunStore, ThreadStatusAfter } from "./run-store.js";
import type { Logger } from "../logger.js";

/** What the service needs. */
export interface RunServiceDeps {
  pool: pg.Pool;
  store: RunStore;
  sessions: SessionStore;
  assistants: AssistantService;
  /** The graphs, to check breakpoint node names against. */
  registry: Pick<GraphRegistry, "resolve">;
  threadState: ThreadStateService;
  eventLog: EventLog;
  bus: EventBus;
  cluster: ClusterNotifier;
  active: ActiveRuns;
  /** What a run's outcome sets off (its webhook job, a stateless cron's cleanup): runs cancelled before they start too. */
  hooks: RunHooks;
  logger: Logger;
  tools: readonly ToolDefinition[];
  /** Starts runs (the dispatcher): claims inside a submission's transaction, or later when the thread is free. */
  dispatcher: Pick<RunDispatcher, "dispatch" | "claimLease" | "recordClaimIn" | "appendInputIn" | "startClaimed" | "startBeforeCommit">;
}

/**
 * Submits and controls runs. A submission is one transaction: the run row (with the user's input) is stored
 * before any model is called, and the multitask strategy is applied to the thread's active runs.
 */
export class RunService {
  constructor(private readonly deps: RunServiceDeps) {}

  /**
   * Submit a run; a repeated client_message_id returns the original run instead of a second one. `session`: the
   * thread as the caller just read it for this user (saves reading it again).
   */
  async submit(userId: string, request: SubmitRunRequest, known?: { session?: Session }): Promise<{ run: Run; duplicate: boolean }> {
    const session = known?.session?.thread_id === request.thread_id ? known.session : await this.deps.sessions.get(userId, request.thread_id);
    const assistantId = request.assistant_id ?? session.assistant_id;
    let gate: CommitGate<ClaimedRun["started"]> | undefined;
    const transaction = withTransactionBegun(this.deps.pool, async (client, begun, commit) => {
      // A stored assistant is read in the transaction's first round trip, with BEGIN and the lock (a default one is
      // not read at all), and its settings checked before anything is written.
      const checked = this.deps.assistants.get(userId, assistantId, client).then(async (found) => {
        await checkRunRequest(this.deps, found, request);
        return found;
      });
      checked.catch(() => undefined);
      const submitted = await this.submitIn({ client, begun, pipelineInput: true, checked }, userId, { ...request, assistant_id: assistantId });
      const assistant = await checked;
      if (!submitted.duplicate && submitted.run.status === "running") {
        // Claimed by this submission: the graph starts setting up now, while the transaction's last statements
        // (the input in the transcript, `run.started`, the commit) run; it acts and writes only once committed.
        gate = new CommitGate();
        this.deps.dispatcher.startBeforeCommit(submitted.run, { assistant, previous: { run: submitted.previous } }, gate);
      }
      // A run of another assistant than the thread's: the thread follows it (`followRunAssistant`).
      const followed = !submitted.duplicate && assistant.assistant_id !== session.assistant_id ? await followRunAssistant(this.deps.sessions, client, { session, assistant }) : undefined;
      // A thread's first run titles an untitled session, in the same round trip as its start events and the commit.
      const titled = !submitted.duplicate && !session.title && !submitted.previous ? titleFromFirstMessage(this.deps.sessions, client, submitted.run) : undefined;
      titled?.catch(() => undefined);
      // The start events and the COMMIT share one round trip (the input went to the transcript with the insert).
      const claimed = await this.claimIfFree(client, submitted, { assistant, pipelined: { input: submitted.input, commit } });
      return { ...submitted, claimed, titled: (await titled) ?? followed };
    });
    const result = await transaction.catch((error: unknown) => {
      gate?.fail(error);
      throw error;
    });
    if (gate) {
      if (result.claimed) gate.open(result.claimed.started);
      else gate.fail(new Error("the submission committed without recording the run's start"));
    }
    if (result.duplicate) return { run: result.run, duplicate: true };
    if (result.titled) this.deps.sessions.announceUpdated(userId, result.titled);
    await this.afterSubmit(result, { started: gate !== undefined });
    return { run: result.run, duplicate: false };
  }

  /** Refuse (400) run settings or breakpoints that `submit` would refuse for this assistant (crons check when saved). */
  async check(userId: string, request: Pick<SubmitRunRequest, "config" | "interrupt_before" | "interrupt_after" | "input"> & { assistant_id: string }): Promise<void> {
    await checkRunRequest(this.deps, await this.deps.assistants.get(userId, request.assistant_id), request);
  }

  /**
   * Answer an interrupt — approve / edit / reject a tool call (the decision is recorded), or answer a graph's own
   * question — and resume in a new run. `others` answers more interrupts pending at once in the same run (LangGraph's
   * `{resume: {<id>: value, …}}`): each is checked and recorded as if answered alone; one refused refuses them all.
   */
  async respond(userId: string, request: RespondRequest): Promise<{ run: Run }> {
    const state = await this.deps.threadState.get(userId, request.thread_id);
    const session = await this.deps.sessions.get(userId, request.thread_id);
    const answers = answersOf(request).map(({ interrupt_id: id, value }) => {
      const pending = state.interrupts.find((candidate) => candidate.id === id);
      if (!pending) throw new AppError("not_found", `No pending interrupt ${id} on this thread`);
      return { pending, ...resumeValueFor(pending, value, this.deps.tools) };
    });
    if (request.run?.config) await checkRunRequest(this.deps, await this.deps.assistants.get(userId, session.assistant_id), request.run);
    const anyInEffect = async (among: typeof answers, scope: { db?: Queryable; besides?: string } = {}) => {
      for (const { pending } of among) if (await this.answerInEffect(request.thread_id, pending.id, scope)) return true;
      return false;
    };
    const result = await withTransaction(this.deps.pool, async (client) => {
      const submitted = await this.submitIn({ client }, userId, {
        ...request.run,
        thread_id: request.thread_id,
        assistant_id: session.assistant_id,
        command: { resume: Object.fromEntries(answers.map((answer) => [answer.pending.id, answer.value])) },
        multitask_strategy: "reject",
        kind: "resume",
      });
      if (submitted.duplicate) return { ...submitted, claimed: undefined };
      // The questions are still pending (checked above) and nothing runs on the thread (the lock, "reject").
      const approvals = answers.flatMap(({ pending, decision }) => (isPendingApproval(pending) && decision ? [{ pending, decision }] : []));
      const interruptedRunId = approvals.length > 0 ? await this.deps.store.lastInterrupted(client, request.thread_id) : null;
      for (const approval of approvals) await recordApproval(client, { threadId: request.thread_id, interruptedRunId, resumeRunId: submitted.run.run_id, ...approval, userId });
      // A question has no record of its answer but the run carrying it: under the thread's lock, another is one.
      const questions = answers.filter((answer) => !isPendingApproval(answer.pending));
      if (await anyInEffect(questions, { db: client, besides: submitted.run.run_id })) throw new AppError("conflict", "This interrupt was already answered");
      return { ...submitted, claimed: await this.claimIfFree(client, submitted) };
    }).catch(async (error: unknown) => {
      // Two windows answering at once: the one that lost finds the winner's run on the thread. Say what happened.
      if (error instanceof AppError && error.code === "thread_busy" && (await anyInEffect(answers))) {
        throw new AppError("conflict", "This interrupt was already answered");
      }
      throw error;
    });
    if (!result.duplicate) await this.afterSubmit(result);
    return { run: result.run };
  }

  /** Whether an answer to this interrupt is on record and not superseded. */
  /** `besides`: a run of this answer's own, not counted. */
  private async answerInEffect(threadId: string, interruptId: string, scope: { db?: Queryable; besides?: string } = {}): Promise<boolean> {
    // An approval's answer is on record; a graph's question has none but the run carrying it (its command).
    const { rowCount } = await (scope.db ?? this.deps.pool).query(
      `SELECT 1 FROM approvals WHERE thread_id = $1 AND interrupt_id = $2 AND superseded_at IS NULL
       UNION ALL
       SELECT 1 FROM runs WHERE thread_id = $1 AND kind = 'resume' AND status IN ('pending', 'running', 'success') AND command->'resume' ? $2
                            AND run_id IS DISTINCT FROM $3::uuid`,
      [threadId, interruptId, scope.besides ?? null],
    );
    return (rowCount ?? 0) > 0;
  }

  /** Cancel a run: a pending one at once, a running one through its executor (wherever it runs). */
  async cancel(userId: string, target: { thread_id: string; run_id: string; action?: "cancel" | "interrupt" | "rollback" }): Promise<Run> {
    const { thread_id: threadId, run_id: runId, action = "cancel" } = target;
    const run = await this.deps.store.get(userId, threadId, runId);
    if (!isActive(run)) return run;
    // A queued run is cancelled here; a running one (or one claimed meanwhile) is stopped where it executes.
    const cancelledQueued = run.status === "pending" && (await this.cancelQueued(run));
    if (!cancelledQueued) {
      const message = { cancel: "cancelled by user", interrupt: "interrupted by user", rollback: "rolled back by user" }[action];
      await this.stopRunning(run.run_id, { action, message });
    }
    // A stateless run's thread goes once the run ends (its cleanup hears of the end): the run is gone with it then.
    return this.deps.store.get(userId, threadId, runId).catch((error: unknown) => {
      if (error instanceof AppError && error.code === "not_found") return cancelledQueued ? { ...run, status: "cancelled" as const } : run;
      throw error;
    });
  }

  /**
   * Cancel several of the user's runs at once (LangGraph's `POST /runs/cancel`): those `filter` names that are still
   * active; the others are left as they are. Resolves with the runs it stopped.
   */
  async cancelMany(userId: string, filter: Parameters<RunStore["listActive"]>[1], action: "cancel" | "interrupt" | "rollback"): Promise<Run[]> {
    const active = await this.deps.store.listActive(userId, filter);
    const stopped: Run[] = [];
    for (const run of active) {
      // One that ended meanwhile, its thread deleted with it (a stateless run's), is no reason to stop the others.
      const result = await this.cancel(userId, { thread_id: run.thread_id, run_id: run.run_id, action }).catch((error: unknown) => {
        if (error instanceof AppError && error.code === "not_found") return undefined;
        throw error;
      });
      if (result) stopped.push(result);
    }
    return stopped;
  }

  /** Cancel a queued run with its finishing hooks; false when it was claimed (or ended) in the meantime. */
  private async cancelQueued(run: Run): Promise<boolean> {
    // Prepared before the transaction (a hook may read, and the embedded database has a single connection).
    const writers = await this.deps.hooks.prepareFinish(run, "cancelled", (error) => this.deps.logger.error({ err: error, runId: run.run_id }, "a run-finishing hook failed"));
    const cancelled = await withTransaction(this.deps.pool, async (client) => {
      const done = await this.deps.store.cancelPending(client, [run.run_id], { code: "cancelled", message: "cancelled by user" });
      // Its webhook job commits with the outcome, as for a run that ran.
      for (const finished of done) for (const write of writers) await write(client, finished);
      return done;
    });
    for (const finished of cancelled) this.deps.hooks.emitRunFinished(finished);
    if (cancelled.length === 0) return false;
    await this.announce(run.thread_id, run.run_id, [{ event: "run.failed", data: { run_id: run.run_id, status: "cancelled", code: "cancelled", message: "cancelled by user", usage: null } }]);
    const thread = await this.deps.store.updateThreadStatus(this.deps.pool, { threadId: run.thread_id, userId: run.user_id }, "idle");
    this.deps.store.announceStatus(run.user_id, run.thread_id, thread);
    return true;
  }

  /** One of the user's runs. */
  get(userId: string, threadId: string, runId: string): Promise<Run> {
    return this.deps.store.get(userId, threadId, runId);
  }

  /** One of the user's runs by its id alone (a stateless run's, whose thread the caller need not know). */
  getById(userId: string, runId: string): Promise<Run> {
    return this.deps.store.getById(userId, runId);
  }

  /** The user's runs on a thread, newest first. */
  async list(userId: string, threadId: string, options: { limit: number; offset: number; status?: Run["status"] }): Promise<Run[]> {
    await this.deps.sessions.get(userId, threadId);
    return this.deps.store.list(userId, threadId, options);
  }

  /** Delete a finished run record (an active one must be cancelled first). */
  async delete(userId: string, threadId: string, runId: string): Promise<void> {
    const run = await this.deps.store.get(userId, threadId, runId);
    if (isActive(run)) throw new AppError("conflict", "Cancel the run before deleting it");
    await this.deps.store.delete(userId, threadId, runId);
  }

  /** Wait until a run has finished (or `timeoutMs` passed) and return its record. */
  async join(userId: string, target: { thread_id: string; run_id: string; timeout_ms?: number }): Promise<Run> {
    const { thread_id: threadId, run_id: runId, timeout_ms: timeoutMs = 300_000 } = target;
    let stop = () => undefined as void;
    const finished = new Promise<void>((resolve) => {
      // A deleted thread's run never finishes: the wait ends, and reading the run answers not_found.
      const unsubscribe = this.deps.bus.subscribe(
        threadId,
        (event) => {
          if (event.run_id === runId && (event.event === "run.completed" || event.event === "run.failed" || event.event === "run.interrupted")) resolve();
        },
        () => resolve(),
      );
      const timer = setTimeout(resolve, timeoutMs);
      stop = () => {
        clearTimeout(timer);
        unsubscribe();
        resolve();
      };
    });
    try {
      // Subscribed before reading the status, so a run finishing in between is not missed.
      await this.deps.bus.ready(threadId);
      const current = await this.deps.store.get(userId, threadId, runId);
      if (isActive(current)) await finished;
      return await this.deps.store.get(userId, threadId, runId);
    } finally {
      stop();
    }
  }

  /**
   * `transaction.begun`: its BEGIN, when not awaited yet (it then shares the first round trip). `pipelineInput`: a
   * run inserted claimed has its input sent to the transcript right behind the insert (`input` in the result), for
   * the caller to record its start with.
   */
  private async submitIn(transaction: { client: Queryable; begun?: Promise<void>; pipelineInput?: boolean; checked?: Promise<unknown> }, userId: string, request: SubmitRunRequest & { kind?: RunKind }) {
    const { client, begun, checked } = transaction;
    // NO KEY: serialises submissions, claims and finishes, but lets events (which reference the thread) be stored.
    // BEGIN and the reads behind the lock are pipelined with it (one round trip): each starts, and takes its
    // snapshot, only once the lock is held. Nothing is written before the lock's answer says the thread is the user's.
    const [, , locked, existing, { active, latest }, checkpoint] = await Promise.all([
      begun,
      checked,
      client.query("SELECT 1 FROM threads WHERE thread_id = $1 AND user_id = $2 FOR NO KEY UPDATE", [request.thread_id, userId]),
      request.client_message_id ? this.deps.store.findByClientMessageId(client, request.thread_id, request.client_message_id) : undefined,
      this.deps.store.activeAndLatest(client, request.thread_id),
      request.checkpoint_id ? client.query("SELECT 1 FROM checkpoints WHERE thread_id = $1 AND checkpoint_ns = '' AND checkpoint_id = $2", [request.thread_id, request.checkpoint_id]) : undefined,
    ]);
    if (!locked.rowCount) throw notFound("Thread", request.thread_id);
    // LangGraph starts a replay from an unknown checkpoint (pruned, or another thread's) as from an empty state.
    if (checkpoint && !checkpoint.rowCount) throw new AppError("not_found", `Checkpoint ${request.checkpoint_id ?? ""} not found`, { details: { checkpoint_id: request.checkpoint_id } });
    if (existing) return { run: existing, duplicate: true as const, superseded: [] as Run[], queuedBehind: 0, cancelled: [] as Run[] };
    const strategy = request.multitask_strategy ?? "enqueue";
    if (strategy === "reject" && active.length > 0) {
      throw new AppError("thread_busy", "A run is already in progress on this thread", { details: { thread_id: request.thread_id, run_id: active[0]?.run_id } });
    }
    const superseded = strategy === "interrupt" || strategy === "rollback" ? active : [];
    const running = superseded.find((run) => run.status === "running");
    const cancelled = await this.deps.store.cancelPending(client, superseded.filter((run) => run.status === "pending").map((run) => run.run_id), { code: "superseded", message: `superseded (${strategy})` });
    if (running) await this.deps.store.requestCancel(client, running.run_id, strategy === "rollback" ? "rollback" : "interrupt");
    const rollbackFrom = strategy === "rollback" && running?.before_checkpoint_id ? running.before_checkpoint_id : undefined;
    const claim = active.length === 0 && !request.after_seconds ? this.deps.dispatcher.claimLease() : undefined;
    const newRun: NewRun = {
      runId: randomUUID(),
      threadId: request.thread_id,
      userId,
      assistantId: request.assistant_id ?? DEFAULT_ASSISTANT_ID,
      kind: request.kind ?? (request.command ? "resume" : request.checkpoint_id ? "replay" : "chat"),
      strategy,
      input: request.input
        ? {
            messages: request.input.messages.map(({ content, name, id }) => ({ id: id ?? `user-${randomUUID()}`, role: "user" as const, content, ...(name ? { name } : {}) })),
            ...(request.input.values ? { values: request.input.values } : {}),
          }
        : null,
      command: request.command ?? null,
      checkpointId: request.checkpoint_id ?? rollbackFrom,
      interruptBefore: breakpointList(request.interrupt_before),
      interruptAfter: breakpointList(request.interrupt_after),
      config: request.config && Object.keys(request.config).length > 0 ? request.config : undefined,
      metadata: request.metadata,
      webhook: request.webhook,
      clientMessageId: request.client_message_id,
      afterSeconds: request.after_seconds,
    };
    const inserting = this.deps.store.insert(client, newRun, claim);
    // Behind the insert, in its round trip: a failed insert fails it too (the transaction is aborted), observed here.
    const input = claim && transaction.pipelineInput ? this.deps.dispatcher.appendInputIn(client, { thread_id: newRun.threadId, run_id: newRun.runId, input: newRun.input }) : undefined;
    input?.catch(() => undefined);
    const { run, thread } = await inserting;
    const queuedBehind = active.length - superseded.filter((candidate) => candidate.status === "pending").length;
    return { run, thread, duplicate: false as const, superseded, queuedBehind, previous: latest, input, cancelled };
  }

  /**
   * A run submitted to a thread with nothing else active and nothing to wait for is inserted already claimed
   * (`submitIn`); its start is recorded in the same transaction: one commit stores the input, the run, the claim
   * and `run.started`, before any model is called.
   */
  private async claimIfFree(
    client: Queryable,
    submitted: { run: Run; duplicate: boolean; previous?: Pick<Run, "status" | "finished_at"> },
    options: { assistant?: Assistant; pipelined?: NonNullable<Parameters<RunDispatcher["recordClaimIn"]>[2]>["pipelined"] } = {},
  ): Promise<ClaimedRun | undefined> {
    if (submitted.duplicate || submitted.run.status !== "running") return undefined;
    return this.deps.dispatcher.recordClaimIn(client, submitted.run, { assistant: options.assistant, previous: { run: submitted.previous }, pipelined: options.pipelined });
  }

  private async afterSubmit(result: { run: Run; thread: ThreadStatusAfter; superseded: Run[]; queuedBehind: number; claimed?: ClaimedRun; cancelled?: Run[] }, options: { started?: boolean } = {}): Promise<void> {
    const { run } = result;
    this.deps.store.announceStatus(run.user_id, run.thread_id, result.thread);
    if (result.claimed) {
      if (!options.started) this.deps.dispatcher.startClaimed(result.claimed);
      return;
    }
    for (const old of result.superseded.filter((candidate) => candidate.status === "pending")) {
      const data = { run_id: old.run_id, status: "cancelled" as const, code: "superseded", message: `superseded by run ${run.run_id}`, usage: null };
      await this.announce(run.thread_id, old.run_id, [{ event: "run.failed", data }]);
    }
    await runFinishingHooks(this.deps, result.cancelled ?? []);
    if (result.queuedBehind > 0 || run.available_at > new Date().toISOString()) {
      await this.announce(run.thread_id, run.run_id, [{ event: "run.queued", data: { run_id: run.run_id, position: result.queuedBehind, input: run.input } }]);
    }
    const running = result.superseded.find((old) => old.status === "running");
    if (running) await this.stopRunning(running.run_id, { action: run.multitask_strategy === "rollback" ? "rollback" : "interrupt", message: `superseded by run ${run.run_id}` });
    this.deps.dispatcher.dispatch(run.thread_id);
  }

  private async stopRunning(runId: string, stop: { action: "cancel" | "interrupt" | "rollback"; message: string }): Promise<void> {
    if (this.deps.active.stop(runId, { kind: "cancel", ...stop })) return;
    // Executing elsewhere: the flag reaches its executor at the next lease renewal, the signal at once.
    await this.deps.store.requestCancel(this.deps.pool, runId, stop.action);
    await this.deps.cluster.signal({ type: "cancel", run_id: runId, action: stop.action, message: stop.message });
  }

  private async announce(threadId: string, runId: string, events: NewThreadEvent[]): Promise<void> {
    const stored = await this.deps.eventLog.append({ threadId, runId, events });
    this.deps.bus.publish(stored);
  }
}
