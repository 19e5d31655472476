import { BaseCallbackHandler } from "@langchain/core/callbacks/base";
import type { Serialized } from "@langchain/core/load/serializable";

/**
 * The commit of the submission a run was claimed in, as the run sees it when it starts before that commit: the
 * graph's own set-up (LangGraph's input and `__start__` steps, several milliseconds) overlaps the transaction's last
 * statements, while everything that acts or writes — every node but `__start__`, checkpoint writes, events,
 * transcript rows — waits for `committed`. When the transaction rolls back, `committed` rejects and none of it
 * happens.
 */
export class CommitGate<T = void> {
  /** Resolves (with what the submission stored for the run) once it committed; rejects with the reason it did not. */
  readonly committed: Promise<T>;
  private settle!: { resolve: (value: T) => void; reject: (error: unknown) => void };

  constructor() {
    this.committed = new Promise<T>((resolve, reject) => (this.settle = { resolve, reject }));
    // Waiters attach their own handlers; this one only keeps an unawaited rejection from being reported as unhandled.
    this.committed.catch(() => undefined);
  }

  /** The submission committed (`value`: what it stored for the run): let the run act and write. */
  open(value: T): void {
    this.settle.resolve(value);
  }

  /** The submission rolled back (`error`): everything waiting on the gate fails with it. */
  fail(error: unknown): void {
    this.settle.reject(error);
  }
}

/** LangGraph's name of the node that only writes a run's input into the state (no user code, no side effects). */
const START_NODE = "__start__";

/**
 * Node metadata (`addNode(name, fn, {metadata: {[RUNS_BEFORE_COMMIT]: true}})`) saying the node acts on nothing
 * outside the run — it calls models and returns state updates, no tools, no writes of its own — so it need not wait
 * for its submission's commit: the built-in chat graph's model node then calls the model while the COMMIT's answer
 * is on its way. What it streams and writes still waits (events and checkpoint writes are gated themselves), and a
 * rollback aborts it with the run.
 */
export const RUNS_BEFORE_COMMIT = "threadline_runs_before_commit";

/**
 * Holds every graph node except `__start__` (and nodes marked `RUNS_BEFORE_COMMIT`) until the run's submission committed, for any graph (built-in or
 * from `langgraph.json`): LangChain awaits a handler's `handleChainStart` before the runnable it announces runs
 * when the handler asks for it (`awaitHandlers`, implied by `raiseError`), and LangGraph marks each node's run
 * with `langgraph_node`. Model token and tool callbacks are not delivered to it (`ignoreLLM`…), so it costs the
 * stream nothing.
 */
export class NodeStartGate extends BaseCallbackHandler {
  readonly name = "threadline_node_start_gate";

  constructor(private readonly committed: Promise<unknown>) {
    super({ raiseError: true, ignoreLLM: true, ignoreRetriever: true, ignoreAgent: true, ignoreCustomEvent: true });
  }

  /** Wait for the commit before a node (other than `__start__` and those marked `RUNS_BEFORE_COMMIT`) runs; a rollback fails the node. */
  // The signature is BaseCallbackHandler's.
  // eslint-disable-next-line max-params
  override async handleChainStart(_chain: Serialized, _inputs: unknown, _runId: string, _parentRunId?: string, _tags?: string[], metadata?: Record<string, unknown>): Promise<void> {
    const node = metadata?.langgraph_node;
    if (typeof node === "string" && node !== START_NODE && metadata?.[RUNS_BEFORE_COMMIT] !== true) await this.committed;
  }
}
