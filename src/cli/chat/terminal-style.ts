/** ANSI styling that disappears when colour is off (pipes, NO_COLOR, --no-color). */
export interface TerminalStyle {
  dim(text: string): string;
  bold(text: string): string;
  red(text: string): string;
  cyan(text: string): string;
}

/** The style for a stream. */
export function terminalStyle(color: boolean): TerminalStyle {
  const wrap = (open: number, close: number) => (text: string) => (color ? `\u001b[${open}m${text}\u001b[${close}m` : text);
  return { dim: wrap(2, 22), bold: wrap(1, 22), red: wrap(31, 39), cyan: wrap(36, 39) };
}
