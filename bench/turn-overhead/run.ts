/**
 * `bench/turn-overhead`: the same scripted conversation against Threadline's run path and against plain
 * LangGraph.js + PostgresSaver, on the same Postgres server, in one run. See docs/benchmarks.md.
 * @example npm run bench:turn-overhead -- --turns 1000
 */
import { execFileSync } from "node:child_process";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { cpus, totalmem } from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { BaselineTarget } from "./baseline-driver.js";
import { type BenchDatabase, createBenchDatabase, serverVersion } from "./bench-database.js";
import { renderLatencyChart } from "./chart.js";
import { bucketedMedians } from "./measure.js";
import { type BenchOptions, parseBenchOptions, USAGE } from "./options.js";
import { type RunReport, renderReport } from "./report.js";
import { runScenario } from "./scenario.js";
import type { BenchTarget } from "./target.js";
import { ThreadlineTarget } from "./threadline-driver.js";

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

const SIDE_COLORS: Record<string, string> = { threadline: "#1f6feb", baseline: "#d1495b" };

async function main(): Promise<void> {
  const parsed = parseBenchOptions(process.argv.slice(2));
  if (parsed === "help") {
    console.log(USAGE);
    return;
  }
  const options = parsed;
  if (options.render) {
    const report = JSON.parse(await readFile(options.render, "utf8")) as RunReport;
    await writeResults(options.outDir, report, { json: false });
    console.log(renderReport(report));
    return;
  }
  const started = performance.now();
  const report: RunReport = { meta: await describeRun(options), sides: [] };
  await mkdir(options.outDir, { recursive: true });
  const log = (line: string) => console.log(`[${((performance.now() - started) / 1000).toFixed(0).padStart(5)} s] ${line}`);
  log(`databases on ${redactPassword(options.adminUrl)}; results in ${options.outDir}`);

  // Disposed in reverse order: servers and pools close before their databases are dropped.
  const resources: AsyncDisposable[] = [];
  try {
    const targets: BenchTarget[] = [];
    if (!options.skipThreadline) {
      const database = await createDatabase(options, "tl_bench_threadline", resources);
      targets.push(keep(resources, await ThreadlineTarget.start({ databaseUrl: database.url, replyMinChars: options.replyMinChars, durability: options.durability, settings: options.checkpointCacheThreads === undefined ? {} : { CHECKPOINT_CACHE_THREADS: options.checkpointCacheThreads } })));
    }
    if (!options.skipBaseline) {
      const database = await createDatabase(options, "tl_bench_baseline", resources);
      targets.push(keep(resources, await BaselineTarget.start({ databaseUrl: database.url, replyMinChars: options.replyMinChars })));
    }
    await measure(options, { targets, report, log });
  } finally {
    for (const resource of resources.reverse()) await resource[Symbol.asyncDispose]();
  }
  report.meta.wallMs = performance.now() - started;
  await writeResults(options.outDir, report);
  console.log(`\n${renderReport(report)}\n`);
  log(`wrote ${path.join(options.outDir, "results.json")}, report.md and turn-p50.svg`);
}

async function measure(options: BenchOptions, run: { targets: BenchTarget[]; report: RunReport; log: (line: string) => void }): Promise<void> {
  const { report, log } = run;
  const scenario = { ...options, budgetMs: options.budgetMinutes > 0 ? options.budgetMinutes * 60_000 : Number.POSITIVE_INFINITY, log };
  report.sides = await runScenario(run.targets, scenario, (partial) => {
    report.sides = partial;
    // Written at every checkpoint, so a run stopped half-way still leaves its numbers behind; chained, so an
    // older snapshot never overwrites a newer one.
    pendingWrite = pendingWrite
      .then(() => writeResults(options.outDir, report))
      .catch((error: unknown) => log(`could not write partial results: ${String(error)}`));
  });
  await pendingWrite;
}

let pendingWrite: Promise<void> = Promise.resolve();

async function createDatabase(options: BenchOptions, prefix: string, resources: AsyncDisposable[]): Promise<BenchDatabase> {
  return keep(resources, await createBenchDatabase({ adminUrl: options.adminUrl, prefix, keep: options.keepDatabases }));
}

function keep<T extends AsyncDisposable>(resources: AsyncDisposable[], resource: T): T {
  resources.push(resource);
  return resource;
}

async function describeRun(options: BenchOptions): Promise<RunReport["meta"]> {
  return {
    startedAt: new Date().toISOString(),
    node: process.version,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model.trim() ?? "?",
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    postgres: await serverVersion(options.adminUrl),
    turns: options.turns,
    window: options.window,
    shortThreads: options.shortThreads,
    shortTurns: options.shortTurns,
    warmupTurns: options.warmupTurns,
    reads: options.reads,
    replyMinChars: options.replyMinChars,
    settle: options.settle,
    code: describeCode(),
  };
}

/** The commit measured, and any uncommitted change to the runtime's code: the tree moves while people work. */
function describeCode(): string {
  const git = (...args: string[]) => execFileSync("git", args, { cwd: REPO_ROOT, encoding: "utf8" }).trim();
  try {
    const dirty = git("status", "--porcelain", "--", "src", "graphs", "tools", "migrations", "langgraph.json", "package.json").split("\n").filter(Boolean);
    return `${git("rev-parse", "--short", "HEAD")}${dirty.length > 0 ? ` + ${dirty.length} uncommitted changes in src/graphs/tools/migrations` : ""}`;
  } catch {
    // An exported tree (git archive) has no .git: let the caller say what it is.
    return process.env.BENCH_CODE_LABEL ?? "unknown (not a git checkout)";
  }
}

async function writeResults(outDir: string, report: RunReport, what = { json: true }): Promise<void> {
  const series = report.sides.map((side) => ({
    name: side.name === "baseline" ? "LangGraph + PostgresSaver" : "Threadline (WS run path)",
    color: SIDE_COLORS[side.name] ?? "#666",
    points: bucketedMedians(side.longThread, 100),
  }));
  const chart = renderLatencyChart(series, {
    title: "Turn latency p50 vs thread length",
    subtitle: `fake model, 1 calculator call per 5 turns; p50 per bucket of ~1% of ${report.meta.turns} turns; ${report.meta.startedAt.slice(0, 10)}`,
    reference: { value: 5, label: "target ≤ 5 ms" },
  });
  if (what.json) await writeFile(path.join(outDir, "results.json"), `${JSON.stringify(report, null, 1)}\n`);
  await writeFile(path.join(outDir, "report.md"), `${renderReport(report)}\n`);
  await writeFile(path.join(outDir, "turn-p50.svg"), chart);
}

function redactPassword(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = "***";
  return parsed.toString();
}

await main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exitCode = 1;
});
