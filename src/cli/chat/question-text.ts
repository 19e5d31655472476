import { questionParts } from "../../events/question-shape.js";

/**
 * A graph's question as one line for the terminal: its text and its options' labels (`Are you sure? [yes / no]`),
 * or the value as JSON.
 */
export function questionText(value: unknown): string {
  const { text, options } = questionParts(value);
  if (text === undefined) return JSON.stringify(value) ?? "(the graph asks for an answer)";
  return options.length > 0 ? `${text} [${options.map((option) => option.label).join(" / ")}]` : text;
}
