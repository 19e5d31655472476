/**
 * `bench/local-model`: time to first token and tokens/s of the embedded model (1) through a Threadline run over
 * the WebSocket protocol and (2) calling node-llama-cpp directly — same model file, prompt, sampling and context
 * shape, alternating in one process so both see the same machine load. Prints both and their ratio.
 * @example node --import tsx bench/local-model/run.ts --runs 9 --tokens 128 [--warmup 20]
 */
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import pg from "pg";
import { findLocalModelFile } from "../../src/models/local/local-model-source.js";
import { defaultThreads } from "../../src/models/local/local-model-runtime.js";
import { DirectDriver } from "./direct-driver.js";
import { ModelDriver } from "./model-driver.js";
import { type GenerationSample, type GenerationSettings, median, tokensPerSecond } from "./generation-sample.js";
import { measureCpu } from "./cpu-meter.js";
import { ThreadlineDriver } from "./threadline-driver.js";

const { values: flags } = parseArgs({
  options: {
    runs: { type: "string", default: "5" },
    warmup: { type: "string", default: "20" },
    tokens: { type: "string", default: "128" },
    threads: { type: "string" },
    "admin-url": { type: "string", default: process.env.TEST_DATABASE_ADMIN_URL ?? "postgres://postgres@127.0.0.1:5432/postgres" },
    embedded: { type: "boolean", default: false },
    "delta-flush-ms": { type: "string" },
    "cache-dir": { type: "string", default: process.env.MODEL_CACHE_DIR ?? path.join(os.homedir(), ".cache", "threadline", "models") },
  },
});

const PROMPT = "Tell me about Paris: its history, its landmarks and its food.";

async function main(): Promise<void> {
  const cacheDir = String(flags["cache-dir"]);
  const dataDir = await mkdtemp(path.join(os.tmpdir(), "bench-local-model-"));
  // Resolved the way the server resolves MODEL=local, so all three sides load the very same file.
  const modelPath = findLocalModelFile({ kind: "default" }, { modelsDir: path.join(dataDir, "models"), cacheDir });
  if (!modelPath) throw new Error(`no embedded model in ${cacheDir}: run \`node --import tsx src/main.ts models pull\` first`);
  const settings: GenerationSettings = {
    modelPath,
    threads: flags.threads ? Number(flags.threads) : defaultThreads(),
    contextSize: 4096,
    sequences: 4,
    maxTokens: Number(flags.tokens),
    seed: 42,
  };
  const runs = Number(flags.runs);
  const database = flags.embedded ? undefined : await createDatabase(String(flags["admin-url"]));
  console.log(`model ${path.basename(modelPath)}, ${settings.threads} thread(s), ${settings.maxTokens} tokens, ${runs} runs per side, ${database ? "Postgres" : "embedded PGlite"}`);
  try {
    await using direct = await DirectDriver.start(settings);
    await using threadline = await ThreadlineDriver.start({
      ...settings,
      databaseUrl: database?.url,
      dataDir,
      cacheDir,
      deltaFlushMs: flags["delta-flush-ms"] === undefined ? undefined : Number(flags["delta-flush-ms"]),
    });
    // The server loaded the model through the process-wide registry; this side shares that runtime.
    const model = await ModelDriver.start({ ...settings, dataDir, cacheDir });
    const sides = {
      direct: (prompt: string) => direct.generate(prompt, settings),
      model: (prompt: string) => model.generate(prompt),
      threadline: (prompt: string) => threadline.generate(prompt),
    };
    // Warm-up: load the runtime, JIT the paths, fill the allocator; not measured. A server handles many runs, so
    // its run path is measured warm (`--warmup`, 20 Threadline runs by default): after a single run, Threadline's
    // per-run code (once per run, not per token) is still unoptimised, which put node-llama-cpp's call 2–2.5 ms later
    // than in a server's steady state (docs/benchmarks.md). The other sides' JavaScript runs per token: hot within
    // their first generation.
    for (const generate of Object.values(sides)) await generate(`${PROMPT} (warm-up)`);
    for (let warm = 1; warm < Number(flags.warmup); warm += 1) await sides.threadline(`${PROMPT} (warm-up ${warm})`);
    const samples: Record<keyof typeof sides, GenerationSample[]> = { direct: [], model: [], threadline: [] };
    const names = Object.keys(sides) as (keyof typeof sides)[];
    for (let run = 0; run < runs; run += 1) {
      // A distinct suffix per run defeats the KV cache equally on every side; the order rotates.
      const prompt = `${PROMPT} (${run + 1})`;
      const order = [...names.slice(run % names.length), ...names.slice(0, run % names.length)];
      for (const side of order) {
        const { result: sample, cpu } = await measureCpu(() => sides[side](prompt), { postgres: database !== undefined });
        sample.cpu = cpu;
        samples[side].push(sample);
        console.log(`  run ${run + 1} ${side.padEnd(10)} first token ${sample.firstTokenMs.toFixed(1).padStart(7)} ms  ${tokensPerSecond(sample).toFixed(1).padStart(6)} tokens/s  (${sample.tokens} tokens)${sample.acceptedMs === undefined ? "" : `, run.start answered after ${sample.acceptedMs.toFixed(1)} ms`}`);
      }
    }
    report(samples);
  } finally {
    await database?.drop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

function report(samples: Record<"direct" | "model" | "threadline", GenerationSample[]>): void {
  const summary = (list: GenerationSample[]) => ({ firstTokenMs: median(list.map((sample) => sample.firstTokenMs)), tokensPerSecond: median(list.map((sample) => tokensPerSecond(sample))) });
  const direct = summary(samples.direct);
  const model = summary(samples.model);
  const threadline = summary(samples.threadline);
  console.log("\nmedians                        first token     tokens/s");
  console.log(`  node-llama-cpp directly     ${direct.firstTokenMs.toFixed(1).padStart(8)} ms  ${direct.tokensPerSecond.toFixed(1).padStart(9)}`);
  console.log(`  Threadline chat model       ${model.firstTokenMs.toFixed(1).padStart(8)} ms  ${model.tokensPerSecond.toFixed(1).padStart(9)}   (createChatModel, no server)`);
  console.log(`  Threadline run over WS      ${threadline.firstTokenMs.toFixed(1).padStart(8)} ms  ${threadline.tokensPerSecond.toFixed(1).padStart(9)}`);
  console.log(`  model layer: first token +${(model.firstTokenMs - direct.firstTokenMs).toFixed(1)} ms, tokens/s ratio ${(model.tokensPerSecond / direct.tokensPerSecond).toFixed(3)}`);
  console.log(`  first-token overhead        ${(threadline.firstTokenMs - direct.firstTokenMs).toFixed(1).padStart(8)} ms   (difference of the medians; goal ≤ 10 ms)`);
  console.log(`  tokens/s ratio              ${(threadline.tokensPerSecond / direct.tokensPerSecond).toFixed(3).padStart(11)}   (goal ≥ 0.95)`);
  // The same overhead timed inside each Threadline run: free of the model's own spread between runs and sides.
  const timed = samples.threadline.filter((sample) => sample.beforeModelMs !== undefined && sample.afterFirstTextMs !== undefined);
  const before = median(timed.map((sample) => sample.beforeModelMs ?? 0));
  const after = median(timed.map((sample) => sample.afterFirstTextMs ?? 0));
  const added = median(timed.map((sample) => (sample.beforeModelMs ?? 0) + (sample.afterFirstTextMs ?? 0)));
  const inRun = median(timed.map((sample) => tokensPerSecond(sample, sample.modelStreamMs)));
  console.log("\ntimed inside the Threadline runs (medians)");
  console.log(`  run.start sent → node-llama-cpp called      ${before.toFixed(1).padStart(7)} ms`);
  console.log(`  its first text → first delta at the client  ${after.toFixed(1).padStart(7)} ms`);
  console.log(`  first-token overhead (per run, summed)      ${added.toFixed(1).padStart(7)} ms   (goal ≤ 10 ms)`);
  console.log(`  node-llama-cpp's own tokens/s in the run    ${inRun.toFixed(1).padStart(7)}      (ratio to direct ${(inRun / direct.tokensPerSecond).toFixed(3)}; delivered ${(threadline.tokensPerSecond / inRun).toFixed(3)} of it)`);
  reportCpu(samples);
}

/** CPU per generated token: what each side costs beside the model's own arithmetic, in this process and in Postgres. */
function reportCpu(samples: Record<"direct" | "model" | "threadline", GenerationSample[]>): void {
  const perToken = (list: GenerationSample[], pick: (cpu: NonNullable<GenerationSample["cpu"]>) => number | undefined) => {
    const values = list.flatMap((sample) => {
      const spent = sample.cpu ? pick(sample.cpu) : undefined;
      return spent === undefined || sample.tokens === 0 ? [] : [spent / sample.tokens];
    });
    return values.length > 0 ? median(values) : undefined;
  };
  const direct = perToken(samples.direct, (cpu) => cpu.processMs) ?? 0;
  console.log("\nCPU per generated token (medians; the whole sample, first token included)");
  for (const side of ["direct", "model", "threadline"] as const) {
    const processMs = perToken(samples[side], (cpu) => cpu.processMs) ?? 0;
    const postgresMs = perToken(samples[side], (cpu) => cpu.postgresMs);
    const postgres = postgresMs === undefined ? "" : `, Postgres ${postgresMs.toFixed(2)} ms`;
    const extra = side === "direct" ? "" : `   (+${(processMs + (postgresMs ?? 0) - direct).toFixed(2)} ms over direct)`;
    console.log(`  ${side.padEnd(10)} this process ${processMs.toFixed(2).padStart(6)} ms${postgres}${extra}`);
  }
}

async function createDatabase(adminUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `tl_bench_local_${randomBytes(4).toString("hex")}`;
  const admin = async (sql: string) => {
    const client = new pg.Client({ connectionString: adminUrl });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await admin(`CREATE DATABASE ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
