/**
 * Where a Threadline turn's time goes: the same conversation on Threadline alone, with the checkpointer's methods
 * and the pool's queries wrapped in timers. Numbers to explain `run.ts`'s, not to compare with the baseline.
 * Rows can overlap in time (events are flushed while the graph runs), so they need not add up to the turn.
 * `BREAKDOWN_DEBUG=1` prints the stack each checkpoint read was attributed from.
 * @example node --import tsx bench/turn-overhead/breakdown.ts --turns 300
 */
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { ThreadlineSaver } from "../../src/checkpoint/threadline-saver.js";
import { createBenchDatabase, DEFAULT_ADMIN_URL } from "./bench-database.js";
import { REPLY_MIN_CHARS, scriptedTurn } from "./conversation.js";
import { timed } from "./measure.js";
import { ThreadlineTarget } from "./threadline-driver.js";

/** Time and calls accumulated under one label during one turn. */
type Tally = Map<string, { ms: number; calls: number }>;

let current: Tally = new Map();

function record(label: string, ms: number): void {
  const entry = current.get(label) ?? { ms: 0, calls: 0 };
  entry.ms += ms;
  entry.calls += 1;
  current.set(label, entry);
}

/** Wrap an async method so every call is timed under a label chosen from the caller's stack ("" = not recorded). */
function instrument(owner: object, method: string, label: (stack: string) => string): void {
  const target = owner as Record<string, (...args: unknown[]) => Promise<unknown>>;
  const original = target[method];
  if (!original) throw new Error(`no method ${method}`);
  target[method] = async function (this: unknown, ...args: unknown[]) {
    const name = label(new Error().stack ?? "");
    const start = performance.now();
    try {
      return await original.apply(this, args);
    } finally {
      if (name) record(name, performance.now() - start);
    }
  };
}

// The callers that tell the labels apart can be deep below LangGraph's own frames.
Error.stackTraceLimit = 200;

/** Which caller a checkpoint read serves: Threadline's own full-state reads, or the graph loading its checkpoint. */
function getTupleCaller(stack: string): string {
  if (process.env.BREAKDOWN_DEBUG) console.log(stack.split("\n").filter((line) => !line.includes("node_modules")).slice(0, 8).join("\n"));
  if (stack.includes("graph-input")) return "getTuple: getState before the run (planGraphInput)";
  if (stack.includes("run-service")) return "getTuple: runs.start";
  if (stack.includes("getState")) return "getTuple: getState after the run";
  return "getTuple: graph.stream loading its checkpoint";
}

const { values } = parseArgs({ options: { turns: { type: "string", default: "300" }, window: { type: "string", default: "20" } } });
const turns = Number(values.turns);
const window = Number(values.window);

await using database = await createBenchDatabase({ adminUrl: process.env.BENCH_DATABASE_URL ?? DEFAULT_ADMIN_URL, prefix: "tl_bench_breakdown" });
await using target = await ThreadlineTarget.start({ databaseUrl: database.url, replyMinChars: REPLY_MIN_CHARS });
// ThreadlineSaver overrides these three (PostgresSaver's own would never be called).
instrument(ThreadlineSaver.prototype, "getTuple", getTupleCaller);
instrument(ThreadlineSaver.prototype, "put", () => "put (checkpoint + messages + blobs)");
instrument(ThreadlineSaver.prototype, "putWrites", () => "putWrites");
// The checkpointer's own queries are inside the getTuple/put/putWrites rows already; this row is Threadline's SQL.
instrument(target.services.pool, "query", (stack) => (/threadline-saver|stored-message|message-ref/.test(stack) ? "" : "pool.query: Threadline's own SQL"));

const threadId = await target.createThread();
const perTurn: { total: number; tally: Tally }[] = [];
for (let turn = 1; turn <= turns; turn += 1) {
  current = new Map();
  const { ms } = await timed(() => target.turn(threadId, scriptedTurn(turn).text));
  await target.settle();
  perTurn.push({ total: ms, tally: current });
  if (turn % 50 === 0) console.log(`turn ${turn}: ${ms.toFixed(1)} ms`);
}

for (const [from, to] of [[1, window], [turns - window + 1, turns]] as const) {
  const slice = perTurn.slice(from - 1, to);
  const labels = [...new Set(slice.flatMap((turn) => [...turn.tally.keys()]))].sort();
  console.log(`\nturns ${from}–${to}: mean turn ${mean(slice.map((turn) => turn.total)).toFixed(1)} ms (run.start → run.completed)`);
  for (const label of labels) {
    const entries = slice.map((turn) => turn.tally.get(label) ?? { ms: 0, calls: 0 });
    console.log(`  ${label.padEnd(48)} ${mean(entries.map((entry) => entry.ms)).toFixed(1).padStart(8)} ms  ${mean(entries.map((entry) => entry.calls)).toFixed(1).padStart(5)} calls/turn`);
  }
}

function mean(values: number[]): number {
  return values.reduce((sum, value) => sum + value, 0) / Math.max(1, values.length);
}
