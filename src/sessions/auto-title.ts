const MAX_TITLE_CHARS = 60;

/**
 * A session title from its first message (set by the server when a thread's first run is submitted, whichever
 * client sent it): the first line, whitespace collapsed, cut at a word near 60 characters.
 * Undefined when that line has no words (a code fence, bare Markdown markers): the session stays untitled, which
 * every window shows as "New chat" in its own language, where a stored fallback would stay in the sender's.
 */
export function autoTitle(text: string): string | undefined {
  const firstLine = text.trim().split("\n")[0] ?? "";
  // Markdown markers read as noise in a title: "**Node.js**" becomes "Node.js".
  const plain = firstLine.replace(/\*\*|__|`/g, "").replace(/^[#>\s]+/, "");
  const collapsed = plain.replace(/\s+/g, " ").trim();
  const characters = Array.from(collapsed);
  if (characters.length <= MAX_TITLE_CHARS) return collapsed || undefined;
  const cut = characters.slice(0, MAX_TITLE_CHARS).join("");
  const lastSpace = cut.lastIndexOf(" ");
  // CJK text has no spaces to cut at; cutting mid-word only when there is no word boundary near the end.
  return `${lastSpace > MAX_TITLE_CHARS / 2 ? cut.slice(0, lastSpace) : cut}…`;
}

/**
 * The text a run's input is titled from: its first message, or for a graph without messages the first text among
 * its own keys, in the order given (`{topic: "cats"}` → "cats"); empty when there is none.
 */
export function titleText(input: { messages: { content: string }[]; values?: Record<string, unknown> } | null | undefined): string {
  const message = input?.messages[0]?.content;
  if (message !== undefined) return message;
  return Object.values(input?.values ?? {}).find((value): value is string => typeof value === "string" && value.trim() !== "") ?? "";
}
