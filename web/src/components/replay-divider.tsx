import type { ReplayBranch } from "../state/thread-state.js";

/**
 * Marks where a replay run's messages start: the transcript keeps the old branch above, so without it the
 * replayed turn would read like a repeat of the conversation.
 */
export function ReplayDivider({ branch }: { branch: ReplayBranch }) {
  return (
    <div class="replay-divider" data-run-id={branch.run_id} data-checkpoint-id={branch.checkpoint_id ?? undefined}>
      <span class="replay-divider-label">
        Replayed from {branch.checkpoint_id ? <>checkpoint <code>{branch.checkpoint_id}</code></> : "an earlier checkpoint"} · new branch
      </span>
    </div>
  );
}
