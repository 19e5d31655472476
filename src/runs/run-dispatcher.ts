import type { Assistant } from "../assistants/assistant.js";
import type { Queryable } from "../db/database.js";
import type { Logger } from "../logger.js";
import type { CommitGate } from "./commit-gate.js";
import type { Run } from "./run.js";
import type { RunExecutor, StartRecording } from "./run-executor.js";
import type { RunStore } from "./run-store.js";

/** A run claimed inside a caller's transaction, with the start events recorded there. */
export interface ClaimedRun {
  run: Run;
  started: Awaited<ReturnType<RunExecutor["recordStartIn"]>>;
  /** The run's assistant as the submission read it (the executor need not read it again). */
  assistant?: Assistant;
  /** The thread's run before this one, as the submission read it under the thread lock (`run`: none). */
  previous?: { run: Pick<Run, "status" | "finished_at"> | undefined };
}

/** How a run left behind by a dead instance is handled. */
export type RecoveryMode = "resume" | "fail";

/**
 * Starts runs: claims a thread's next pending run when the thread is free (right after a submission or when
 * a run finishes), and on a timer picks up delayed runs whose time has come and runs whose instance died
 * (expired lease) — resuming them from their last checkpoint or failing them with `worker_lost`.
 */
export class RunDispatcher {
  private timer: NodeJS.Timeout | undefined;
  private ticking = false;
  private stopped = false;

  constructor(
    private readonly deps: {
      store: RunStore;
      executor: RunExecutor;
      logger: Logger;
      lease: { owner: string; ms: number };
      pollMs: number;
      recovery: RecoveryMode;
      /** Record a recovered run as failed (the executor's final-event path is not involved). */
      failLost: (run: Run) => Promise<void>;
    },
  ) {
    deps.executor.onThreadFree = (threadId) => this.dispatch(threadId);
  }

  /** Start the recovery / delayed-run timer (and run one tick now). */
  start(): void {
    this.timer = setInterval(() => void this.tick(), this.deps.pollMs);
    this.timer.unref();
    void this.tick();
  }

  /** Stop claiming new work. */
  stop(): void {
    this.stopped = true;
    clearInterval(this.timer);
  }

  /** Claim and start the thread's next run if nothing executes there. */
  dispatch(threadId: string): void {
    if (this.stopped) return;
    this.deps.store
      // run.started and the input are recorded in the claim's transaction: one commit before the graph starts.
      .claimNext(threadId, this.deps.lease, (client, run) => this.deps.executor.recordStartIn(client, run, { resumed: false }))
      .then((claimed) => {
        if (claimed) this.deps.executor.start(claimed.run, { resumed: false, started: claimed.then });
      })
      .catch((error: unknown) => this.deps.logger.error({ err: error, threadId }, "could not claim a run"));
  }

  /** The lease a submission may insert its run under when the thread is free; undefined once stopped. */
  claimLease(): { owner: string; ms: number } | undefined {
    return this.stopped ? undefined : this.deps.lease;
  }

  /**
   * Record the start of a run a submission inserted already claimed (`claimLease`), inside its transaction.
   * Start it with `startClaimed` once committed. `pipelined`: the input's append already sent (`appendInputIn`) and
   * the transaction's COMMIT to send behind the start events (RunExecutor.recordStartIn).
   */
  async recordClaimIn(client: Queryable, run: Run, known: Pick<ClaimedRun, "assistant" | "previous"> & { pipelined?: Omit<StartRecording, "resumed"> } = {}): Promise<ClaimedRun> {
    const { pipelined, ...rest } = known;
    return { run, started: await this.deps.executor.recordStartIn(client, run, { resumed: false, ...pipelined }), ...rest };
  }

  /** Send the input of a run about to be inserted claimed to the transcript, in the submission's transaction. */
  appendInputIn(client: Queryable, run: Pick<Run, "thread_id" | "run_id" | "input">): ReturnType<RunExecutor["appendInputIn"]> {
    return this.deps.executor.appendInputIn(client, run);
  }

  /**
   * Execute a run a submission inserted already claimed, before its transaction commits: the graph sets up while
   * the transaction finishes; the run acts and writes once `gate` opens with its start events (`recordClaimIn`),
   * and ends with nothing written if the gate fails.
   */
  startBeforeCommit(run: Run, known: Pick<ClaimedRun, "assistant" | "previous">, gate: CommitGate<ClaimedRun["started"]>): void {
    this.deps.executor.start(run, { resumed: false, gate, assistant: known.assistant, previous: known.previous });
  }

  /** Execute a run claimed inside a submission (`recordClaimIn`), after its transaction committed. */
  startClaimed(claimed: ClaimedRun): void {
    this.deps.executor.start(claimed.run, { resumed: false, started: claimed.started, assistant: claimed.assistant, previous: claimed.previous });
  }

  /** One pass: take over expired leases, then start due runs on free threads. */
  async tick(): Promise<void> {
    if (this.ticking || this.stopped) return;
    this.ticking = true;
    try {
      for (const run of await this.deps.store.takeOverExpired(this.deps.lease)) {
        const giveUp = this.deps.recovery === "fail" || run.attempt > run.max_attempts;
        this.deps.logger.warn({ runId: run.run_id, attempt: run.attempt, action: giveUp ? "fail" : "resume" }, "recovering a run whose instance stopped");
        if (giveUp) await this.deps.failLost(run);
        else this.deps.executor.start(run, { resumed: true });
      }
      for (const threadId of await this.deps.store.threadsWithDueRuns()) this.dispatch(threadId);
    } catch (error) {
      this.deps.logger.error({ err: error }, "run dispatcher tick failed");
    } finally {
      this.ticking = false;
    }
  }
}
