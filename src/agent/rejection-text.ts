// What the model is told when a human rejects a tool call, and the reason read back out of it (the web page shows
// the person's words, not this sentence). One module for both sides, so the two never drift apart.

/** The tool result of a call a human rejected, with their reason if they gave one. */
export function rejectionText(toolName: string, reason?: string): string {
  return `Error: the user rejected this call of ${toolName}${reason ? `: ${reason}` : "."}`;
}

/** The reason inside a `rejectionText`; undefined when none was given; other text is returned as it is. */
export function rejectionReasonOf(text: string | undefined, toolName: string): string | undefined {
  if (text === undefined) return undefined;
  const prefix = rejectionText(toolName).slice(0, -1);
  if (!text.startsWith(prefix)) return text;
  const rest = text.slice(prefix.length);
  return rest.startsWith(": ") && rest.length > 2 ? rest.slice(2) : undefined;
}
