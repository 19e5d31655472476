import { RunStopError, type StopReason } from "./lease-keeper.js";

/** Runs executing in this process: their abort controllers and completion, for cancel and shutdown. */
export class ActiveRuns {
  private readonly runs = new Map<string, { threadId: string; controller: AbortController; done: Promise<void> }>();

  /** Track a run until `done` settles. */
  add(runId: string, entry: { threadId: string; controller: AbortController; done: Promise<void> }): void {
    this.runs.set(runId, entry);
    void entry.done.finally(() => this.runs.delete(runId));
  }

  /** Stop a run executing here; false when it is not here. */
  stop(runId: string, reason: StopReason): boolean {
    const entry = this.runs.get(runId);
    if (!entry) return false;
    if (!entry.controller.signal.aborted) entry.controller.abort(new RunStopError(reason));
    return true;
  }

  /** Stop every run of a thread executing here. */
  stopThread(threadId: string, reason: StopReason): void {
    for (const [runId, entry] of this.runs) if (entry.threadId === threadId) this.stop(runId, reason);
  }

  /** Whether a run executes here. */
  has(runId: string): boolean {
    return this.runs.has(runId);
  }

  /** Completion of a run executing here. */
  whenDone(runId: string): Promise<void> | undefined {
    return this.runs.get(runId)?.done;
  }

  /** How many runs are executing. */
  get size(): number {
    return this.runs.size;
  }

  /**
   * Wait for every run to finish, up to `timeoutMs`; then stop the rest for recovery (their leases are
   * released so the next instance resumes them from their last checkpoint) and wait for them.
   */
  async drain(timeoutMs: number): Promise<void> {
    const all = () => Promise.allSettled([...this.runs.values()].map((entry) => entry.done));
    let timer: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([
      all().then(() => false),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), timeoutMs))),
    ]);
    clearTimeout(timer);
    if (!timedOut) return;
    for (const runId of this.runs.keys()) this.stop(runId, { kind: "shutdown" });
    await all();
  }
}
