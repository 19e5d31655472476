import { useState } from "preact/hooks";
import { useI18n } from "../i18n/i18n-context.js";
import type { Interrupt } from "../protocol/protocol-types.js";

/** What a graph's question shows: its text, and the choices it offers (`{question, options}`, LangGraph's usual shape). */
export function questionParts(value: unknown): { text: string | undefined; options: string[]; json: string | undefined } {
  if (typeof value === "string") return { text: value, options: [], json: undefined };
  if (value && typeof value === "object" && !Array.isArray(value)) {
    const { question, options } = value as { question?: unknown; options?: unknown };
    const choices = Array.isArray(options) && options.every((option) => typeof option === "string") ? (options) : [];
    if (typeof question === "string") return { text: question, options: choices, json: undefined };
  }
  return { text: undefined, options: [], json: JSON.stringify(value, null, 2) };
}

/**
 * A question a developer's graph asks with `interrupt(value)`: shown as asked, answered with one of its options or a
 * typed answer (sent as text: the graph's `interrupt()` returns it).
 */
export function QuestionCard(props: { interrupt: Interrupt; onRespond: (answer: string) => Promise<void> }) {
  const { interrupt } = props;
  const i18n = useI18n();
  const { t } = i18n;
  const { text, options, json } = questionParts(interrupt.value);
  const [answer, setAnswer] = useState("");
  const [problem, setProblem] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);

  const respond = async (value: string) => {
    if (value.trim() === "") return setProblem(t("question.empty"));
    setBusy(true);
    setProblem(undefined);
    try {
      await props.onRespond(value);
    } catch (error) {
      setProblem(error instanceof Error ? error.message : String(error));
    } finally {
      setBusy(false);
    }
    return undefined;
  };

  const idBase = `question-${interrupt.id}`;
  return (
    <section class="approval-card question-card" aria-labelledby={`${idBase}-title`} data-interrupt-id={interrupt.id}>
      <h2 id={`${idBase}-title`} class="approval-title">
        {t("question.title")}
      </h2>
      {text !== undefined ? <p class="question-text">{text}</p> : <pre class="tool-args">{json}</pre>}
      <form
        onSubmit={(event) => {
          event.preventDefault();
          void respond(answer);
        }}
      >
        <label for={`${idBase}-answer`} class="field-label">
          {t("question.answerLabel")}
        </label>
        <input id={`${idBase}-answer`} class="text-input" value={answer} disabled={busy} onInput={(event) => setAnswer(event.currentTarget.value)} />
        {problem && (
          <p class="form-error" role="alert">
            {problem}
          </p>
        )}
        <div class="approval-actions">
          {options.map((option) => (
            <button key={option} type="button" class="button" disabled={busy} onClick={() => void respond(option)}>
              {option}
            </button>
          ))}
          <button type="submit" class="button button-primary" disabled={busy}>
            {t("question.send")}
          </button>
        </div>
      </form>
    </section>
  );
}
