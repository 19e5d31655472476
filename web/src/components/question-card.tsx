import { useState } from "preact/hooks";
import { useI18n } from "../i18n/i18n-context.js";
import type { Interrupt } from "../protocol/protocol-types.js";
import { answerFailurePhrase } from "../state/answer-failure.js";
// Shared with the terminal client: both read a question alike.
import { questionParts } from "../../../src/events/question-shape.js";

/**
 * What was typed into each question's box and not sent, by interrupt id. Questions asked at once are answered one
 * run at a time: the others' cards leave while each answer's run goes on and come back after it, so their drafts
 * are kept here rather than in the cards.
 */
const drafts = new Map<string, string>();

/**
 * A question a developer's graph asks with `interrupt(value)`: shown as asked, answered with one of its options (its
 * value, as given) or a typed answer (sent as text): the graph's `interrupt()` returns it.
 */
export function QuestionCard(props: { interrupt: Interrupt; onRespond: (answer: unknown) => Promise<void> }) {
  const { interrupt } = props;
  const i18n = useI18n();
  const { t } = i18n;
  const { text, options, json } = questionParts(interrupt.value);
  const [answer, setAnswerState] = useState(() => drafts.get(interrupt.id) ?? "");
  const setAnswer = (text: string) => {
    setAnswerState(text);
    if (text) drafts.set(interrupt.id, text);
    else drafts.delete(interrupt.id);
  };
  const [problem, setProblem] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);

  const respond = async (value: unknown) => {
    if (typeof value === "string" && value.trim() === "") return setProblem(t("question.empty"));
    setBusy(true);
    setProblem(undefined);
    try {
      await props.onRespond(value);
      drafts.delete(interrupt.id);
    } catch (error) {
      setProblem(answerFailurePhrase(error)(i18n));
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
          {options.map((option, index) => (
            <button key={`${index}:${option.label}`} type="button" class="button" disabled={busy} onClick={() => void respond(option.value)}>
              {option.label}
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
