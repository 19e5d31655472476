import { useI18n } from "../i18n/i18n-context.js";
import type { RunView } from "../state/thread-state.js";

/** A failed, cancelled or timed-out run, inline where it happened; failures offer a retry. */
export function RunErrorCard({ run, onRetry }: { run: RunView; onRetry?: () => void }) {
  const { t } = useI18n();
  if (run.status === "cancelled") {
    return (
      <div class="run-note" role="status">
        {t("run.stopped")}
        {onRetry && (
          <button type="button" class="link-button" onClick={onRetry}>
            {t("run.regenerate")}
          </button>
        )}
      </div>
    );
  }
  const title = run.status === "timeout" ? t("run.timedOut") : t("run.failed");
  return (
    <div class="run-error" role="alert">
      <div>
        <strong>{title}</strong>
        {run.error && (
          <span class="run-error-detail">
            {" "}
            {/* A crash is said in Threadline's own words, translated; other errors quote their source (a provider's). */}
            — {run.error.code === "worker_lost" ? t("run.workerLost") : run.error.message} <code>{run.error.code}</code>
          </span>
        )}
      </div>
      {onRetry && (
        <button type="button" class="button" onClick={onRetry}>
          {t("run.retry")}
        </button>
      )}
    </div>
  );
}
