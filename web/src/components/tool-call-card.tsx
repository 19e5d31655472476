import { durationMs, formatDuration } from "../state/chat-timeline.js";
import type { ToolCallView } from "../state/thread-state.js";

/** A tool call as a collapsible card: name, state and duration in the summary; arguments and result inside. */
export function ToolCallCard({ tool }: { tool: ToolCallView }) {
  const duration = durationMs(tool.startedAt, tool.completedAt);
  const state = tool.error !== undefined ? "error" : tool.output !== undefined ? "done" : tool.awaitingApproval ? "waiting" : "running";
  const stateLabel = { error: "failed", done: "done", waiting: "awaiting approval", running: "running…" }[state];
  return (
    <details class={`tool-card tool-${state}`} data-tool-call-id={tool.id}>
      <summary>
        <span class="tool-icon" aria-hidden="true">⚙</span>
        <span class="tool-name">{tool.name}</span>
        <span class="tool-state">{stateLabel}</span>
        {duration !== undefined && <span class="tool-duration">{formatDuration(duration)}</span>}
      </summary>
      <div class="tool-body">
        <div class="tool-section-label">Arguments</div>
        <pre class="tool-args">{JSON.stringify(tool.args, null, 2)}</pre>
        {tool.error !== undefined ? (
          <>
            <div class="tool-section-label">Error</div>
            <pre class="tool-error">{tool.error}</pre>
          </>
        ) : tool.output !== undefined ? (
          <>
            <div class="tool-section-label">Result</div>
            <pre class="tool-output">{tool.output}</pre>
          </>
        ) : null}
      </div>
    </details>
  );
}
