import { useState } from "preact/hooks";
import type { Interrupt } from "../protocol/protocol-types.js";

/** The decision sent with `input.respond` (issue 4's shape). */
export interface ApprovalDecision {
  decision: "approve" | "reject" | "edit";
  args?: Record<string, unknown>;
  reason?: string;
}

/** A paused run's pending tool call: approve it, edit its arguments, or reject it with a reason. */
export function ApprovalCard(props: { interrupt: Interrupt; onRespond: (decision: ApprovalDecision) => Promise<void> }) {
  const { interrupt } = props;
  const [mode, setMode] = useState<"ask" | "edit" | "reject">("ask");
  const [argsText, setArgsText] = useState(JSON.stringify(interrupt.args ?? {}, null, 2));
  const [reason, setReason] = useState("");
  const [problem, setProblem] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);

  const respond = async (decision: ApprovalDecision) => {
    setBusy(true);
    setProblem(undefined);
    try {
      await props.onRespond(decision);
    } catch (error) {
      setProblem(error instanceof Error ? error.message : String(error));
    } finally {
      setBusy(false);
    }
  };

  const submitEdit = () => {
    try {
      const args = JSON.parse(argsText) as unknown;
      if (!args || typeof args !== "object" || Array.isArray(args)) throw new Error("Arguments must be a JSON object");
      void respond({ decision: "edit", args: args as Record<string, unknown> });
    } catch (error) {
      setProblem(error instanceof Error ? error.message : String(error));
    }
  };

  const idBase = `approval-${interrupt.id}`;
  return (
    <section class="approval-card" aria-labelledby={`${idBase}-title`} data-interrupt-id={interrupt.id}>
      <h2 id={`${idBase}-title`} class="approval-title">
        Approve tool call <code>{interrupt.name ?? "tool"}</code>?
      </h2>
      {mode === "edit" ? (
        <>
          <label for={`${idBase}-args`} class="field-label">
            Arguments (JSON)
          </label>
          <textarea id={`${idBase}-args`} class="code-input" rows={6} value={argsText} onInput={(event) => setArgsText(event.currentTarget.value)} />
        </>
      ) : (
        <pre class="tool-args">{JSON.stringify(interrupt.args ?? {}, null, 2)}</pre>
      )}
      {mode === "reject" && (
        <>
          <label for={`${idBase}-reason`} class="field-label">
            Reason (sent to the assistant)
          </label>
          <input id={`${idBase}-reason`} class="text-input" value={reason} onInput={(event) => setReason(event.currentTarget.value)} />
        </>
      )}
      {problem && (
        <p class="form-error" role="alert">
          {problem}
        </p>
      )}
      <div class="approval-actions">
        {mode === "ask" && (
          <>
            <button type="button" class="button button-primary" disabled={busy} onClick={() => void respond({ decision: "approve" })}>
              Approve
            </button>
            <button type="button" class="button" disabled={busy} onClick={() => setMode("edit")}>
              Edit arguments
            </button>
            <button type="button" class="button button-danger" disabled={busy} onClick={() => setMode("reject")}>
              Reject
            </button>
          </>
        )}
        {mode === "edit" && (
          <button type="button" class="button button-primary" disabled={busy} onClick={submitEdit}>
            Run with these arguments
          </button>
        )}
        {mode === "reject" && (
          <button type="button" class="button button-danger" disabled={busy} onClick={() => void respond({ decision: "reject", reason: reason.trim() || undefined })}>
            Reject
          </button>
        )}
        {mode !== "ask" && (
          <button type="button" class="button" disabled={busy} onClick={() => setMode("ask")}>
            Back
          </button>
        )}
      </div>
    </section>
  );
}
