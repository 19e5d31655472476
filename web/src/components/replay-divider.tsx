import { useI18n } from "../i18n/i18n-context.js";
import type { ReplayBranch } from "../state/thread-state.js";

/**
 * Marks where a replay run's messages start: the transcript keeps the old branch above, so without it the
 * replayed turn would read like a repeat of the conversation.
 */
export function ReplayDivider({ branch }: { branch: ReplayBranch }) {
  const { t, parts } = useI18n();
  return (
    <div class="replay-divider" data-run-id={branch.run_id} data-checkpoint-id={branch.checkpoint_id ?? undefined}>
      <span class="replay-divider-label">
        {branch.checkpoint_id ? parts("replay.fromCheckpoint", { checkpoint: <code>{branch.checkpoint_id}</code> }) : t("replay.fromEarlier")}
      </span>
    </div>
  );
}
