import { useI18n } from "../i18n/i18n-context.js";
import type { ReplayBranch } from "../state/thread-state.js";

/**
 * Marks where a replay run's messages start: the transcript keeps the old branch above, so without it the
 * replayed turn would read like a repeat of the conversation. The checkpoint's id is a UUID that tells a reader
 * nothing: it is only the label's tooltip (and the timeline marks the same checkpoint where the branch starts).
 */
export function ReplayDivider({ branch }: { branch: ReplayBranch }) {
  const { t } = useI18n();
  return (
    <div class="replay-divider" data-run-id={branch.run_id} data-checkpoint-id={branch.checkpoint_id ?? undefined}>
      <span class="replay-divider-label" title={branch.checkpoint_id ? t("replay.checkpointTitle", { checkpoint: branch.checkpoint_id }) : undefined}>
        {t("replay.fromEarlier")}
      </span>
    </div>
  );
}
