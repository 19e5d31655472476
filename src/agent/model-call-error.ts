/** A model call failed (provider error, timeout, bad response): the run ends with `model_error`. */
export class ModelCallError extends Error {
  override name = "ModelCallError";
  /**
   * Tokens that calls which finished before this one spent, when no message carries them (the reply whose
   * structured form then failed): the run's usage still counts them.
   */
  spent: { model: string; input_tokens: number; output_tokens: number }[] = [];
}

/** Recognise a model failure by name, across module copies and LangGraph's error wrapping. */
export function isModelCallError(error: unknown): error is ModelCallError {
  return error instanceof Error && error.name === "ModelCallError";
}

/** Strip anything shaped like a credential from a provider's message before it reaches users or logs. */
export function redactSecrets(message: string): string {
  return message
    .replace(/\b(sk|pk|rk|tl)[-_][A-Za-z0-9_-]{8,}/g, "[redacted]")
    .replace(/Bearer\s+\S+/gi, "Bearer [redacted]")
    // A URL's credentials (user:password@), wherever a provider or library repeats the URL.
    .replace(/(\/\/)[^\s/@:]*:[^\s/@]*@/g, "$1[redacted]@");
}
