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

  constructor(lines: readline.Interface) {
    lines.on("line", (line: string) => {
      const waiter = this.waiting.shift();
      if (waiter) waiter(line);
      else this.buffered.push(line);
    });
    lines.on("close", () => {
      this.closed = true;
      for (const waiter of this.waiting.splice(0)) waiter(undefined);
    });
  }

  /** The next line, or undefined once the input has ended and every buffered line was read. */
  next(): Promise<string | undefined> {
    const line = this.buffered.shift();
    if (line !== undefined) return Promise.resolve(line);
    if (this.closed) return Promise.resolve(undefined);
    return new Promise((resolve) => this.waiting.push(resolve));
  }
}
