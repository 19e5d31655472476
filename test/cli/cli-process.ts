import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";

const BIN = path.resolve(import.meta.dirname, "../../bin/threadline.js");

/** A running `threadline chat` driven through pipes, with everything it printed so far. */
export interface CliProcess extends AsyncDisposable {
  child: ChildProcessWithoutNullStreams;
  stdout: string;
  stderr: string;
  /** Each stdout chunk as it arrived (streaming shows up as several). */
  stdoutChunks: string[];
  /** Wait until stdout (or stderr) satisfies the predicate. */
  waitFor(stream: "stdout" | "stderr", predicate: (text: string) => boolean, timeoutMs?: number): Promise<void>;
  /** Write a line to stdin. */
  writeLine(line: string): void;
  /** Resolve with the exit code. */
  exited: Promise<number | null>;
}

/** Whether util-linux `script` is there to give the client a pseudo-terminal. */
export const HAS_SCRIPT = existsSync("/usr/bin/script");

/**
 * Start `threadline chat <args>` with piped stdin/stdout/stderr and a clean environment. With `terminal`, it runs
 * inside a pseudo-terminal (util-linux `script`), as a person at a terminal would: stdout and stderr then arrive
 * mixed on `stdout`, with the terminal's echo of what was typed.
 */
export function startCli(args: string[], env: Record<string, string> = {}, options: { terminal?: boolean } = {}): CliProcess {
  const command = [process.execPath, BIN, "chat", ...args];
  const file = options.terminal ? "script" : process.execPath;
  const argv = options.terminal ? ["-qfec", command.map(shellQuote).join(" "), "/dev/null"] : command.slice(1);
  const child = spawn(file, argv, {
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", NO_COLOR: "1", TERM: "dumb", ...env },
    stdio: ["pipe", "pipe", "pipe"],
  });
  const waiters: (() => void)[] = [];
  const notify = () => {
    for (const waiter of waiters.splice(0)) waiter();
  };
  const cli: CliProcess = {
    child,
    stdout: "",
    stderr: "",
    stdoutChunks: [],
    exited: new Promise((resolve) => child.on("exit", (code) => resolve(code))),
    waitFor(stream, predicate, timeoutMs = 90_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`timed out waiting on ${stream}; stdout=${JSON.stringify(cli.stdout)} stderr=${JSON.stringify(cli.stderr)}`)), timeoutMs);
        const check = () => {
          if (predicate(cli[stream])) {
            clearTimeout(timer);
            resolve();
          } else waiters.push(check);
        };
        check();
      });
    },
    writeLine(line) {
      // A terminal in raw mode sends Enter as a carriage return.
      child.stdin.write(`${line}${options.terminal ? "\r" : "\n"}`);
    },
    [Symbol.asyncDispose]: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      await cli.exited;
    },
  };
  child.stdout.on("data", (chunk: Buffer) => {
    const text = chunk.toString("utf8");
    cli.stdout += text;
    cli.stdoutChunks.push(text);
    notify();
  });
  child.stderr.on("data", (chunk: Buffer) => {
    cli.stderr += chunk.toString("utf8");
    notify();
  });
  return cli;
}

/** Run `threadline chat` to completion with `input` on stdin. */
export async function runCli(args: string[], options: { input?: string; env?: Record<string, string> } = {}): Promise<{ code: number | null; stdout: string; stderr: string; stdoutChunks: string[] }> {
  const cli = startCli(args, options.env);
  cli.child.stdin.end(options.input ?? "");
  const code = await cli.exited;
  return { code, stdout: cli.stdout, stderr: cli.stderr, stdoutChunks: cli.stdoutChunks };
}

function shellQuote(word: string): string {
  return `'${word.replaceAll("'", "'\\''")}'`;
}
