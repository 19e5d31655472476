import type readline from "node:readline";

/**
 * The lines of a readline interface as one queue that both the chat loop and the approval prompt read from.
 * readline's own `question()` only sees lines typed after it is asked, while `for await` buffers lines that
 * arrived earlier; with piped input (everything arrives at once) the answer to `Approve? [y/e/n]` would land in
 * the loop's buffer and the prompt would wait forever. One queue serves every line to whoever asks next.
 */
export class LineReader {
  private readonly buffered: string[] = [];
  private readonly waiting: ((line: string | undefined) => void)[] = [];
  private closed = false;
  /** Inside a bracketed paste (`\e[200~` … `\e[201~`), and the lines it gave so far. */
  private pasting = false;
  private readonly pasted: string[] = [];

  /**
   * `terminal`: the input of a terminal readline reads (keypress events), where a multi-line paste comes bracketed
   * once the terminal is told to (see `BRACKETED_PASTE_ON`): its lines are one line here, so one message.
   */
  constructor(lines: readline.Interface, terminal?: NodeJS.ReadableStream) {
    lines.on("line", (line: string) => {
      if (this.pasting) this.pasted.push(line);
      else this.deliver([...this.pasted.splice(0), line].join("\n"));
    });
    terminal?.on("keypress", (_text: string | undefined, key: { name?: string } | undefined) => {
      if (key?.name === "paste-start") this.pasting = true;
      if (key?.name !== "paste-end") return;
      this.pasting = false;
      // A paste that ended with a line break was sent by it, as before; else Enter sends what was typed after it too.
      if (lines.line === "" && this.pasted.length > 0) this.deliver(this.pasted.splice(0).join("\n"));
    });
    lines.on("close", () => {
      this.closed = true;
      for (const waiter of this.waiting.splice(0)) waiter(undefined);
    });
  }

  private deliver(line: string): void {
    const waiter = this.waiting.shift();
    if (waiter) waiter(line);
    else this.buffered.push(line);
  }

  /** The next line, or undefined once the input has ended and every buffered line was read. */
  next(): Promise<string | undefined> {
    const line = this.buffered.shift();
    if (line !== undefined) return Promise.resolve(line);
    if (this.closed) return Promise.resolve(undefined);
    return new Promise((resolve) => this.waiting.push(resolve));
  }
}

/** Asks the terminal to bracket pasted text (xterm's mode 2004); `BRACKETED_PASTE_OFF` gives it back as it was. */
export const BRACKETED_PASTE_ON = "\u001b[?2004h";
/** Ends bracketed paste mode (on leaving, so the shell afterwards gets pastes as usual). */
export const BRACKETED_PASTE_OFF = "\u001b[?2004l";
