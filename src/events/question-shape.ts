// Pure (no Node imports): the web page imports this file too, so the terminal and the page read a question alike.

/** One choice a graph's question offers: what it says, and the value sent when it is picked. */
export interface QuestionOption {
  label: string;
  value: unknown;
}

/** How a graph's question (`interrupt(value)`) is shown: its text, its choices, or the value as JSON. */
export interface QuestionParts {
  text: string | undefined;
  options: QuestionOption[];
  json: string | undefined;
}

/** The keys a question's text is read from, in order (LangGraph's examples use `question`; the others are common). */
const TEXT_KEYS = ["question", "message", "prompt", "text", "description"] as const;

/**
 * What a graph's question shows: a string as it is; `{question, options}` (LangGraph's usual shape; the text may be
 * under `message`, `prompt`, `text` or `description`, the options under `choices`), where an option is a string, a
 * number, a boolean or `{label, value?}`; anything else as JSON.
 */
export function questionParts(value: unknown): QuestionParts {
  if (typeof value === "string") return { text: value, options: [], json: undefined };
  if (value && typeof value === "object" && !Array.isArray(value)) {
    const fields = value as Record<string, unknown>;
    const text = TEXT_KEYS.map((key) => fields[key]).find((candidate): candidate is string => typeof candidate === "string");
    if (text !== undefined) return { text, options: optionsOf(fields.options ?? fields.choices), json: undefined };
  }
  return { text: undefined, options: [], json: JSON.stringify(value, null, 2) };
}

/** The value a typed line answers with: the value of the option it names (its label, exactly), else the line. */
export function answerForLine(line: string, options: readonly QuestionOption[]): unknown {
  const named = options.find((option) => option.label === line);
  return named ? named.value : line;
}

function optionsOf(options: unknown): QuestionOption[] {
  if (!Array.isArray(options)) return [];
  const parsed = options.map(optionOf);
  // One choice not understood: offer none rather than a partial set (a typed answer still works).
  return parsed.every((option): option is QuestionOption => option !== undefined) ? parsed : [];
}

function optionOf(option: unknown): QuestionOption | undefined {
  if (typeof option === "string" || typeof option === "number" || typeof option === "boolean") return { label: String(option), value: option };
  if (option && typeof option === "object" && !Array.isArray(option)) {
    const { label, value } = option as { label?: unknown; value?: unknown };
    if (typeof label === "string") return { label, value: value === undefined ? label : value };
  }
  return undefined;
}
