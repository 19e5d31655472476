import type { CheckpointSummary } from "./checkpoint-summary.js";

/** A timeline row with where it sits among the thread's branches. */
export interface BranchedCheckpoint extends CheckpointSummary {
  /** On the branch the thread continues from (the newest checkpoint and its ancestors), or on an earlier one. */
  onCurrentBranch: boolean;
  /** Set when the row starts a branch: it follows this older checkpoint, not the row below it. */
  branchFrom?: string;
}

/**
 * Mark branches in a newest-first list of checkpoints (a replay, a rollback or an edit of an older checkpoint
 * starts a new branch, and the list interleaves them by time). The current branch is the newest checkpoint and
 * the ancestors reachable through the loaded rows; a row whose parent is not the row below it starts a branch.
 */
export function markBranches(items: readonly CheckpointSummary[]): BranchedCheckpoint[] {
  const byId = new Map(items.map((item) => [item.checkpoint_id, item]));
  const current = new Set<string>();
  for (let item = items[0]; item && !current.has(item.checkpoint_id); item = item.parentId ? byId.get(item.parentId) : undefined) current.add(item.checkpoint_id);
  return items.map((item, index) => {
    const below = items[index + 1];
    const startsBranch = item.parentId !== undefined && below !== undefined && item.parentId !== below.checkpoint_id;
    return { ...item, onCurrentBranch: current.has(item.checkpoint_id), ...(startsBranch ? { branchFrom: item.parentId } : {}) };
  });
}
