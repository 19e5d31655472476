/**
 * Where the time of a fresh session's first run goes, from `run.start` sent to the reply's first delta at the
 * client: a real server and WebSocket client in this process, every statement pg sends and its answer, the commit
 * reaching the run, each graph node's start and release, the chat model and node-llama-cpp called, marked; the
 * median time of each mark over the measured runs is printed in order (docs/benchmarks.md, "Local model").
 * @example node --import tsx bench/first-run/run.ts --runs 100 --model local
 */
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import WebSocket from "ws";
import { loadConfig } from "../../src/config.js";
import { createLogger } from "../../src/logger.js";
import { createBenchDatabase, DEFAULT_ADMIN_URL } from "../turn-overhead/bench-database.js";
import { type CommandClientFrame, WsCommandClient } from "../ws-command-client.js";
import { type Mark, markRunPath, PathMarks } from "./path-marks.js";

const { values: flags } = parseArgs({
  options: {
    runs: { type: "string", default: "100" },
    warmup: { type: "string", default: "20" },
    model: { type: "string", default: "fake" },
    "admin-url": { type: "string", default: process.env.BENCH_DATABASE_URL ?? DEFAULT_ADMIN_URL },
    "cache-dir": { type: "string", default: process.env.MODEL_CACHE_DIR ?? path.join(os.homedir(), ".cache", "threadline", "models") },
  },
});

const marks = new PathMarks();
// Before the server starts: pg clients bind `query` when they are built.
markRunPath(marks);
const { startServer } = await import("../../src/app.js");

/** The label of a received frame's mark. */
function frameLabel(frame: CommandClientFrame): string {
  return `client got ${frame.event ?? (frame.notice ? `notice ${frame.notice}` : `${frame.type} ${String(frame.id)}`)}`;
}

/** Resolves when the next run on the socket ends. */
function runEnd(client: WsCommandClient): Promise<void> {
  return new Promise((resolve) => {
    const stop = client.listen((frame) => {
      if (frame.event !== "run.completed" && frame.event !== "run.failed") return;
      stop();
      resolve();
    });
  });
}

/** The median time (ms from `run.start` sent) of each mark, the nth occurrence of a label counted as its own mark. */
function medianTimeline(timelines: Mark[][]): [number, string, number][] {
  const times = new Map<string, number[]>();
  for (const timeline of timelines) {
    const origin = timeline[0]?.[0] ?? 0;
    const seen = new Map<string, number>();
    for (const [at, label] of timeline) {
      const nth = (seen.get(label) ?? 0) + 1;
      seen.set(label, nth);
      const key = nth > 1 ? `${label} (#${nth})` : label;
      times.set(key, [...(times.get(key) ?? []), at - origin]);
    }
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
  return [...times].map(([label, values]): [number, string, number] => [median(values), label, values.length]).sort((a, b) => a[0] - b[0]);
}

async function main(): Promise<void> {
  const runs = Number(flags.runs);
  const warmup = Number(flags.warmup);
  const local = flags.model === "local";
  await using database = await createBenchDatabase({ adminUrl: String(flags["admin-url"]), prefix: "tl_bench_first_run" });
  const config = loadConfig({
    env: {},
    overrides: {
      PORT: 0,
      MODEL: local ? "local" : "fake",
      LOG_LEVEL: "warn",
      DATA_DIR: path.join(os.tmpdir(), "threadline-bench-first-run"),
      DATABASE_URL: database.url,
      MODEL_CACHE_DIR: String(flags["cache-dir"]),
      MODEL_AUTO_PULL: false,
      LOCAL_MODEL_THREADS: 1,
      RATE_LIMIT_PER_MINUTE: 1_000_000,
    },
  });
  const server = await startServer({ config, logger: createLogger({ level: "warn" }) });
  try {
    // With the embedded model: no tools (no tool decision before the answer), a short answer.
    const assistant = local
      ? ((await (await fetch(`${server.url}/assistants`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ graph_id: "chat", name: "bench", context: { model: "local", tools: [], temperature: 0, seed: 42, max_tokens: 8 } }) })).json()) as { assistant_id: string })
      : undefined;
    const socket = new WebSocket(server.wsUrl);
    await new Promise<void>((resolve, reject) => {
      socket.once("open", () => resolve());
      socket.once("error", reject);
    });
    const client = new WsCommandClient(socket, { sent: (method) => marks.mark(`client sent ${method}`) });
    client.listen((frame) => marks.mark(frameLabel(frame)));
    const timelines: Mark[][] = [];
    for (let index = 0; index < warmup + runs; index += 1) {
      const { thread_id: threadId } = await client.call("thread.open", { window_id: `bench-${String(index)}`, ...(assistant ? { assistant_id: assistant.assistant_id } : {}) });
      const ended = runEnd(client);
      marks.start();
      await client.call("run.start", { thread_id: threadId, input: { messages: [{ role: "user", content: `Hello there, number ${String(index)}` }] } });
      await ended;
      const timeline = marks.stop();
      if (index >= warmup) timelines.push(timeline);
      // Let the run's bookkeeping end before the next one starts.
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    socket.close();
    console.log(`first runs of fresh sessions, model ${local ? "local (SmolLM2)" : "fake"}, ${String(runs)} measured after ${String(warmup)}; median ms after run.start was sent:`);
    for (const [at, label, count] of medianTimeline(timelines)) if (count >= runs / 2) console.log(`${at.toFixed(2).padStart(8)}  ${label}`);
  } finally {
    await server.close();
  }
}

await main();
