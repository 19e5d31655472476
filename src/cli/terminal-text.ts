/**
 * Server text (replies, titles, tool output, error messages) on its way to a terminal: a control character in it
 * would drive the terminal (ESC sequences change the window title, clear the screen, recolour what follows) and a
 * tab or newline in a field breaks tab-separated script output. Controls are shown escaped (`\x1b`), never sent raw.
 */

// C0 controls but tab and newline, DEL and the C1 range (a lone 0x9b is a CSI on some terminals).
// eslint-disable-next-line no-control-regex
const CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

function escaped(character: string): string {
  return `\\x${character.charCodeAt(0).toString(16).padStart(2, "0")}`;
}

/** Text shown as written, line breaks and tabs kept (a reply's body): other controls escaped, `\r\n` read as `\n`. */
export function terminalText(text: string): string {
  return text.replaceAll("\r\n", "\n").replace(CONTROLS, escaped);
}

/** Text as one line (a title, a field of tab-separated output): whitespace runs become one space, controls escaped. */
export function terminalLine(text: string): string {
  return terminalText(text.replace(/\s+/g, " ").trim());
}

/** A session's title as one line, `(untitled)` when it has none. */
export function titleText(title: string | null | undefined): string {
  return title ? terminalLine(title) : "(untitled)";
}
