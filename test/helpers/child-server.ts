import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../bin/threadline.js");

/** A Threadline server in its own process, as an operator runs it (for crash tests). */
export interface ChildServer {
  url: string;
  wsUrl: string;
  process: ChildProcess;
  /** Stop it the hard way (SIGKILL) and wait until it is gone. */
  kill(): Promise<void>;
}

/** Start `threadline serve` on a free port and wait until it listens. */
export async function startChildServer(env: Record<string, string>): Promise<ChildServer> {
  const child = spawn(process.execPath, [BIN, "serve"], {
    env: { ...process.env, PORT: "0", HOST: "127.0.0.1", MODEL: "fake", LOG_LEVEL: "info", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const stderr: string[] = [];
  child.stderr?.on("data", (chunk: Buffer) => stderr.push(chunk.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start: ${stderr.join("")}`)), 60_000);
    createInterface({ input: child.stdout }).on("line", (line) => {
      try {
        const entry = JSON.parse(line) as { msg?: string; url?: string };
        if (entry.msg === "Threadline is listening" && entry.url) {
          clearTimeout(timer);
          resolve(entry.url);
        }
      } catch {
        // not a log line
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}: ${stderr.join("")}`));
    });
  });
  return {
    url,
    wsUrl: `${url.replace("http", "ws")}/ws`,
    process: child,
    kill: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGKILL");
      }),
  };
}
