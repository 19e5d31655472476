/**
 * A graph's question as one line for the terminal: a string as it is; `{question, options?}` (the shape LangGraph's
 * examples use) as the question and its options; anything else as JSON.
 */
export function questionText(value: unknown): string {
  if (typeof value === "string") return value;
  if (value && typeof value === "object" && !Array.isArray(value)) {
    const { question, options } = value as { question?: unknown; options?: unknown };
    if (typeof question === "string") {
      const choices = Array.isArray(options) && options.every((option) => typeof option === "string") ? ` [${options.join(" / ")}]` : "";
      return `${question}${choices}`;
    }
  }
  return JSON.stringify(value) ?? "(the graph asks for an answer)";
}
