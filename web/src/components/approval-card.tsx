import { useState } from "preact/hooks";
import { useI18n } from "../i18n/i18n-context.js";
import { type Phrase, phrase } from "../i18n/translator.js";
import type { Interrupt } from "../protocol/protocol-types.js";
import { answerFailurePhrase } from "../state/answer-failure.js";

/** The decision sent with `input.respond` (issue 4's shape). */
export interface ApprovalDecision {
  decision: "approve" | "reject" | "edit";
  args?: Record<string, unknown>;
  reason?: string;
}

/** A paused run's pending tool call: approve it, edit its arguments, or reject it with a reason. */
export function ApprovalCard(props: { interrupt: Interrupt; onRespond: (decision: ApprovalDecision) => Promise<void> }) {
  const { interrupt } = props;
  const i18n = useI18n();
  const { t } = i18n;
  const [mode, setMode] = useState<"ask" | "edit" | "reject">("ask");
  const [argsText, setArgsText] = useState(JSON.stringify(interrupt.args ?? {}, null, 2));
  const [reason, setReason] = useState("");
  // Wrapped in an object: a bare function given to a state setter would be called as an updater.
  const [problem, setProblem] = useState<{ phrase: Phrase } | undefined>(undefined);
  const [busy, setBusy] = useState(false);

  const respond = async (decision: ApprovalDecision) => {
    setBusy(true);
    setProblem(undefined);
    try {
      await props.onRespond(decision);
    } catch (error) {
      setProblem({ phrase: answerFailurePhrase(error) });
    } finally {
      setBusy(false);
    }
  };

  const submitEdit = () => {
    let args: unknown;
    try {
      args = JSON.parse(argsText) as unknown;
    } catch (error) {
      // The browser's parser message (English in most browsers) names where the JSON breaks.
      const detail = error instanceof Error ? error.message : String(error);
      return setProblem({ phrase: ({ t: translate }) => translate("approval.invalidJson", { error: detail }) });
    }
    if (!args || typeof args !== "object" || Array.isArray(args)) return setProblem({ phrase: phrase("approval.notObject") });
    void respond({ decision: "edit", args: args as Record<string, unknown> });
    return undefined;
  };

  const idBase = `approval-${interrupt.id}`;
  return (
    <section class="approval-card" aria-labelledby={`${idBase}-title`} data-interrupt-id={interrupt.id}>
      <h2 id={`${idBase}-title`} class="approval-title">
        {i18n.parts("approval.title", { name: <code>{interrupt.name ?? t("approval.unnamedTool")}</code> })}
      </h2>
      {mode === "edit" ? (
        <>
          <label for={`${idBase}-args`} class="field-label">
            {t("approval.argumentsLabel")}
          </label>
          <textarea id={`${idBase}-args`} class="code-input" rows={6} value={argsText} onInput={(event) => setArgsText(event.currentTarget.value)} />
        </>
      ) : (
        <pre class="tool-args">{JSON.stringify(interrupt.args ?? {}, null, 2)}</pre>
      )}
      {mode === "reject" && (
        <>
          <label for={`${idBase}-reason`} class="field-label">
            {t("approval.reasonLabel")}
          </label>
          <input id={`${idBase}-reason`} class="text-input" value={reason} onInput={(event) => setReason(event.currentTarget.value)} />
        </>
      )}
      {problem && (
        <p class="form-error" role="alert">
          {problem.phrase(i18n)}
        </p>
      )}
      <div class="approval-actions">
        {mode === "ask" && (
          <>
            <button type="button" class="button button-primary" disabled={busy} onClick={() => void respond({ decision: "approve" })}>
              {t("approval.approve")}
            </button>
            <button type="button" class="button" disabled={busy} onClick={() => setMode("edit")}>
              {t("approval.edit")}
            </button>
            <button type="button" class="button button-danger" disabled={busy} onClick={() => setMode("reject")}>
              {t("approval.reject")}
            </button>
          </>
        )}
        {mode === "edit" && (
          <button type="button" class="button button-primary" disabled={busy} onClick={submitEdit}>
            {t("approval.runEdited")}
          </button>
        )}
        {mode === "reject" && (
          <button type="button" class="button button-danger" disabled={busy} onClick={() => void respond({ decision: "reject", reason: reason.trim() || undefined })}>
            {t("approval.reject")}
          </button>
        )}
        {mode !== "ask" && (
          <button type="button" class="button" disabled={busy} onClick={() => setMode("ask")}>
            {t("common.back")}
          </button>
        )}
      </div>
    </section>
  );
}
