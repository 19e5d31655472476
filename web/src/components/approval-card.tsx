import { useEffect, useRef, useState } from "preact/hooks";
import { useI18n } from "../i18n/i18n-context.js";
import { type Phrase, phrase } from "../i18n/translator.js";
import type { Interrupt } from "../protocol/protocol-types.js";
import { answerFailurePhrase } from "../state/answer-failure.js";
import { useFocusComposerOnLeave } from "./focus.js";

type Mode = "ask" | "edit" | "reject";

/** The decision sent with `input.respond` (issue 4's shape). */
export interface ApprovalDecision {
  decision: "approve" | "reject" | "edit";
  args?: Record<string, unknown>;
  reason?: string;
}

/**
 * A paused run's pending tool call: approve it, edit its arguments, or reject it with a reason (Enter in the reason
 * rejects, Esc goes back). Focus follows each step, and goes to the message box when the card leaves.
 */
export function ApprovalCard(props: { interrupt: Interrupt; onRespond: (decision: ApprovalDecision) => Promise<void> }) {
  const { interrupt } = props;
  const i18n = useI18n();
  const { t } = i18n;
  const [mode, setModeState] = useState<Mode>("ask");
  const [argsText, setArgsText] = useState(JSON.stringify(interrupt.args ?? {}, null, 2));
  const [reason, setReason] = useState("");
  // Wrapped in an object: a bare function given to a state setter would be called as an updater.
  const [problem, setProblem] = useState<{ phrase: Phrase } | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const idBase = `approval-${interrupt.id}`;
  const card = useFocusComposerOnLeave<HTMLElement>();
  // Each mode's controls replace the buttons that opened it: focus moves on purpose, never to the page.
  const focusNext = useRef<string | undefined>(undefined);
  const setMode = (next: Mode) => {
    focusNext.current = next === "ask" ? (mode === "edit" ? "edit-button" : "reject-button") : next === "edit" ? "args" : "reason";
    setModeState(next);
  };
  useEffect(() => {
    const target = focusNext.current;
    focusNext.current = undefined;
    if (target) document.getElementById(`${idBase}-${target}`)?.focus();
  }, [mode]);
  // Esc leaves editing or rejecting (not an IME's Esc, nor while the answer is on its way).
  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key !== "Escape" || mode === "ask" || busy || event.isComposing || event.keyCode === 229) return;
    event.preventDefault();
    event.stopPropagation();
    setMode("ask");
  };
  const reject = () => void respond({ decision: "reject", reason: reason.trim() || undefined });

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

  return (
    <section class="approval-card" ref={card} aria-labelledby={`${idBase}-title`} data-interrupt-id={interrupt.id} onKeyDown={onKeyDown}>
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
        <pre class="tool-args">{readableArgs(interrupt.args ?? {})}</pre>
      )}
      {mode === "reject" && (
        <>
          <label for={`${idBase}-reason`} class="field-label">
            {t("approval.reasonLabel")}
          </label>
          <input
            id={`${idBase}-reason`}
            class="text-input"
            value={reason}
            onInput={(event) => setReason(event.currentTarget.value)}
            onKeyDown={(event) => {
              if (event.key !== "Enter" || event.isComposing || event.keyCode === 229 || busy) return;
              event.preventDefault();
              reject();
            }}
          />
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
            <button type="button" id={`${idBase}-edit-button`} class="button" disabled={busy} onClick={() => setMode("edit")}>
              {t("approval.edit")}
            </button>
            <button type="button" id={`${idBase}-reject-button`} class="button button-danger" disabled={busy} onClick={() => setMode("reject")}>
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
          <button type="button" class="button button-danger" disabled={busy} onClick={reject}>
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

/**
 * The arguments as indented JSON whose strings show their line breaks as breaks (an email body reads as written,
 * not as one line of `\n`s). For reading only: the edit field keeps strict JSON.
 */
export function readableArgs(args: Record<string, unknown>): string {
  // A `\n` escape, not an escaped backslash followed by n (`\\n`).
  return JSON.stringify(args, null, 2).replace(/(?<!\\)((?:\\\\)*)\\n/g, "$1\n");
}
