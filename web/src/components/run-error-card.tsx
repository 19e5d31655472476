import type { RunView } from "../state/thread-state.js";

/** A failed, cancelled or timed-out run, inline where it happened; failures offer a retry. */
export function RunErrorCard({ run, onRetry }: { run: RunView; onRetry?: () => void }) {
  if (run.status === "cancelled") {
    return (
      <div class="run-note" role="status">
        Reply stopped.
        {onRetry && (
          <button type="button" class="link-button" onClick={onRetry}>
            Regenerate
          </button>
        )}
      </div>
    );
  }
  const title = run.status === "timeout" ? "The reply timed out" : "The reply failed";
  return (
    <div class="run-error" role="alert">
      <div>
        <strong>{title}</strong>
        {run.error && (
          <span class="run-error-detail">
            {" "}
            — {run.error.message} <code>{run.error.code}</code>
          </span>
        )}
      </div>
      {onRetry && (
        <button type="button" class="button" onClick={onRetry}>
          Retry
        </button>
      )}
    </div>
  );
}
