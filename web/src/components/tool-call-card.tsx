import { useI18n } from "../i18n/i18n-context.js";
import { formatDuration } from "../i18n/intl-format.js";
import type { PlainKey } from "../i18n/translator.js";
import { durationMs } from "../state/chat-timeline.js";
import type { ToolCallState, ToolCallView } from "../state/thread-state.js";
import { rejectionReasonOf } from "../../../src/agent/rejection-text.js";

const STATE_LABELS: Record<ToolCallState, PlainKey> = {
  error: "tool.failed",
  rejected: "tool.rejected",
  done: "tool.done",
  waiting: "tool.awaitingApproval",
  running: "tool.running",
  pending: "tool.pending",
  stopped: "tool.stopped",
};

/** A tool call as a collapsible card: name, state and duration in the summary; arguments and result inside. */
export function ToolCallCard({ tool }: { tool: ToolCallView }) {
  const { t, locale } = useI18n();
  const duration = durationMs(tool.startedAt, tool.completedAt);
  const { state } = tool;
  return (
    <details class={`tool-card tool-${state}`} data-tool-call-id={tool.id}>
      <summary>
        <span class="tool-icon" aria-hidden="true">⚙</span>
        <span class="tool-name">{tool.name}</span>
        <span class="tool-state">{t(STATE_LABELS[state])}</span>
        {duration !== undefined && <span class="tool-duration">{formatDuration(locale, duration)}</span>}
      </summary>
      <div class="tool-body">
        <div class="tool-section-label">{t("tool.arguments")}</div>
        <pre class="tool-args">{JSON.stringify(tool.args, null, 2)}</pre>
        {state === "rejected" ? (
          <>
            <div class="tool-section-label">{t("tool.rejection")}</div>
            <pre class="tool-output">{rejectionReasonOf(tool.error ?? tool.output, tool.name) ?? t("tool.noReason")}</pre>
          </>
        ) : tool.error !== undefined ? (
          <>
            <div class="tool-section-label">{t("tool.error")}</div>
            <pre class="tool-error">{tool.error}</pre>
          </>
        ) : tool.output !== undefined ? (
          <>
            <div class="tool-section-label">{t("tool.result")}</div>
            <pre class="tool-output">{tool.output}</pre>
          </>
        ) : state === "stopped" ? (
          <p class="tool-note">{t("tool.stoppedNote")}</p>
        ) : null}
      </div>
    </details>
  );
}
