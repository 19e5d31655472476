import type { RunnableConfig } from "@langchain/core/runnables";
import type { CheckpointMetadata } from "@langchain/langgraph-checkpoint";

/**
 * `configurable` key of a call's config holding a transaction's client: that call's reads and writes run inside the
 * caller's transaction (a state edit commits its checkpoint with its transcript rows and events, or nothing).
 * After a rollback the caller must call `forgetThread`: refs handed out inside it were never stored.
 */
export const SAVER_TRANSACTION_KEY = "__threadline_transaction";

/**
 * `configurable` key of a run's config: `{ checkpointId, consumed: false }` when the caller knows, from its claim under
 * the thread's lock, the thread's latest root checkpoint ("" when it has none) and that nothing is pending on it.
 * The first read of the thread's latest checkpoint is then answered without a query: "none" for "", or the
 * checkpoint as this process wrote it when it is still remembered (`RecentCheckpoints`). Later reads query as usual.
 */
export const SAVER_LATEST_KNOWN_KEY = "__threadline_latest_known";

/**
 * `configurable` key of a state read holding `{ tuple }`: the thread's latest root checkpoint as `latestTuples` read
 * it (`undefined`: it has none). The read of the latest checkpoint is answered with it, without a query: a page of
 * threads gets its states from one read of their checkpoints.
 */
export const SAVER_PREFETCHED_KEY = "__threadline_prefetched";

/** What `SAVER_LATEST_KNOWN_KEY` holds. */
export interface LatestKnown {
  checkpointId: string;
  consumed: boolean;
}

/**
 * `configurable` key of a run's config holding a promise its checkpoint writes wait for: a run started before its
 * submission committed (see `CommitGate`) writes nothing until then. A rejection fails the write and abandons the
 * refs it prepared (nothing of it was stored).
 */
export const SAVER_WRITE_GATE_KEY = "__threadline_write_gate";

/**
 * `configurable` key of a run's config naming the run, for a run checkpointed only at exit (`durability: "exit"`):
 * its checkpoints record it in `metadata.run_id`. Such a run writes no `input` checkpoint, so retention tells
 * where one run ended and the next began by the run ids (other runs need not pay the bytes: their `input`
 * checkpoints say it).
 */
export const SAVER_RUN_ID_KEY = "__threadline_run_id";

/**
 * `configurable` key of every run's config: `{ runId, marked: false }`. A run that continues a stopped graph (input
 * null: after a breakpoint, a resume) writes no `input` checkpoint, so its first checkpoint records the run
 * (`metadata.run_id`, once per run: `marked` flips) — retention then sees that a turn ended at its parent (a
 * breakpoint stop writes no interrupt to tell it otherwise). Runs that start with input pay nothing.
 */
export const SAVER_RUN_START_KEY = "__threadline_run_start";

/** What `SAVER_RUN_START_KEY` holds. */
export interface RunStart {
  runId: string;
  marked: boolean;
}

/**
 * The checkpoint's metadata with the run that wrote it, when the config names one: every checkpoint of a run
 * checkpointed at exit (`SAVER_RUN_ID_KEY`), the first of a run that starts without input (`SAVER_RUN_START_KEY`).
 */
export function withRunId(metadata: CheckpointMetadata, config: RunnableConfig): CheckpointMetadata {
  const configurable = config.configurable as Record<string, unknown> | undefined;
  if ((metadata as Record<string, unknown>).run_id !== undefined) return metadata;
  const runId = configurable?.[SAVER_RUN_ID_KEY];
  if (typeof runId === "string") return { ...metadata, run_id: runId } as CheckpointMetadata;
  const start = configurable?.[SAVER_RUN_START_KEY] as RunStart | undefined;
  if (!start || start.marked) return metadata;
  start.marked = true;
  return metadata.source === "loop" ? ({ ...metadata, run_id: start.runId } as CheckpointMetadata) : metadata;
}

/** The run's write gate (`SAVER_WRITE_GATE_KEY`), if its config has one. */
export function writeGateOf(config: RunnableConfig): Promise<void> | undefined {
  return (config.configurable as Record<string, unknown> | undefined)?.[SAVER_WRITE_GATE_KEY] as Promise<void> | undefined;
}
