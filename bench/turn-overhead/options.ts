import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { DEFAULT_ADMIN_URL } from "./bench-database.js";
import { REPLY_MIN_CHARS } from "./conversation.js";

/** The parsed command line. */
export interface BenchOptions {
  turns: number;
  checkpoints: number[];
  window: number;
  shortThreads: number;
  shortTurns: number;
  warmupTurns: number;
  reads: number;
  budgetMinutes: number;
  settle: boolean;
  skipBaseline: boolean;
  skipThreadline: boolean;
  adminUrl: string;
  keepDatabases: boolean;
  replyMinChars: number;
  /** Threadline's runs ask for this durability (`run.start`'s `durability`); unset: the server's default ("async"). */
  durability?: "sync" | "async" | "exit";
  /** The server's CHECKPOINT_CACHE_THREADS (unset: its default; 0 makes every run read its checkpoint). */
  checkpointCacheThreads?: number;
  outDir: string;
  /** Re-render report.md and turn-p50.svg from this results.json instead of running. */
  render?: string;
}

/** `--help` text. */
export const USAGE = `Usage: npm run bench:turn-overhead -- [options]

  --turns N             turns of the long thread (default 1000; 10000 works, budget it)
  --checkpoints LIST    turns to report at, comma-separated (default 1,10,100,1000,10000; the last turn is added)
  --window N            latency at turn N pools turns N-window+1…N (default 20)
  --short-threads N     extra fresh threads for early-turn samples (default 10)
  --short-turns N       turns of each short thread (default 10)
  --warmup N            unmeasured turns on a throwaway thread first (default 5)
  --reads N             repetitions of each read at a checkpoint (default 5)
  --budget-minutes N    stop the long thread after N minutes and report where it got (default: no limit)
  --no-settle           start the next turn as soon as run.completed arrives (an eager client), instead of
                        first waiting, untimed, for Threadline to record the run's outcome
  --skip-baseline       only Threadline (e.g. for --turns 10000)
  --skip-threadline     only plain LangGraph + PostgresSaver
  --database-url URL    the Postgres server to create the two fresh databases on
                        (default ${DEFAULT_ADMIN_URL}; the user needs CREATEDB)
  --keep-databases      do not drop the databases afterwards (to inspect them)
  --reply-min-chars N   fake model reply length (default ${REPLY_MIN_CHARS})
  --durability MODE     Threadline's runs ask for sync, async or exit (default: the server's, async)
  --checkpoint-cache-threads N
                        the server's CHECKPOINT_CACHE_THREADS (default: its own, 256; 0 = every run reads its
                        checkpoint, as before the cache)
  --out DIR             where results.json, report.md and turn-p50.svg go (default bench/turn-overhead/out)
  --render FILE         run nothing: redraw report.md and turn-p50.svg from a results.json, next to it`;

/** Parse argv (without node and the script); throws with a message naming the bad flag. */
export function parseBenchOptions(argv: string[]): BenchOptions | "help" {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      turns: { type: "string", default: "1000" },
      checkpoints: { type: "string", default: "1,10,100,1000,10000" },
      window: { type: "string", default: "20" },
      "short-threads": { type: "string", default: "10" },
      "short-turns": { type: "string", default: "10" },
      warmup: { type: "string", default: "5" },
      reads: { type: "string", default: "5" },
      "budget-minutes": { type: "string", default: "0" },
      "no-settle": { type: "boolean", default: false },
      "skip-baseline": { type: "boolean", default: false },
      "skip-threadline": { type: "boolean", default: false },
      "database-url": { type: "string", default: process.env.BENCH_DATABASE_URL ?? DEFAULT_ADMIN_URL },
      "keep-databases": { type: "boolean", default: false },
      "reply-min-chars": { type: "string", default: String(REPLY_MIN_CHARS) },
      durability: { type: "string" },
      "checkpoint-cache-threads": { type: "string" },
      out: { type: "string", default: path.join(path.dirname(fileURLToPath(import.meta.url)), "out") },
      render: { type: "string" },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) return "help";
  if (values["skip-baseline"] && values["skip-threadline"]) throw new Error("--skip-baseline and --skip-threadline together leave nothing to measure");
  return {
    turns: positiveInteger("--turns", values.turns),
    checkpoints: values.checkpoints.split(",").map((turn) => positiveInteger("--checkpoints", turn.trim())),
    window: positiveInteger("--window", values.window),
    shortThreads: nonNegativeInteger("--short-threads", values["short-threads"]),
    shortTurns: positiveInteger("--short-turns", values["short-turns"]),
    warmupTurns: nonNegativeInteger("--warmup", values.warmup),
    reads: positiveInteger("--reads", values.reads),
    budgetMinutes: nonNegativeInteger("--budget-minutes", values["budget-minutes"]),
    settle: !values["no-settle"],
    skipBaseline: values["skip-baseline"],
    skipThreadline: values["skip-threadline"],
    adminUrl: values["database-url"],
    keepDatabases: values["keep-databases"],
    replyMinChars: nonNegativeInteger("--reply-min-chars", values["reply-min-chars"]),
    ...(values.durability === undefined ? {} : { durability: durabilityOf(values.durability) }),
    ...(values["checkpoint-cache-threads"] === undefined ? {} : { checkpointCacheThreads: nonNegativeInteger("--checkpoint-cache-threads", values["checkpoint-cache-threads"]) }),
    outDir: path.resolve(values.render ? path.dirname(values.render) : values.out),
    render: values.render,
  };
}

/** A `--durability` value, checked. */
export function durabilityOf(text: string): "sync" | "async" | "exit" {
  if (text === "sync" || text === "async" || text === "exit") return text;
  throw new Error(`--durability expects sync, async or exit, got "${text}"`);
}

function positiveInteger(flag: string, text: string): number {
  const value = nonNegativeInteger(flag, text);
  if (value === 0) throw new Error(`${flag} must be at least 1`);
  return value;
}

function nonNegativeInteger(flag: string, text: string): number {
  if (!/^\d+$/.test(text)) throw new Error(`${flag} expects a whole number, got "${text}"`);
  return Number(text);
}
