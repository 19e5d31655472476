/**
 * bench/runs: many threads × turns through the WebSocket protocol with the fake model (turns/s, p50/p99 turn
 * latency), and fan-out (one run watched by many windows: delta delivery latency).
 * Usage: npm run bench:runs -- [--database-url URL] [--fanout-windows 100]
 */
import { parseArgs } from "node:util";
import { startServer } from "../../src/app.js";
import { loadConfig } from "../../src/config.js";
import { createLogger } from "../../src/logger.js";
import { createTestDatabase } from "../../test/helpers/test-database.js";
import { TestWsClient } from "../../test/helpers/ws-client.js";
import { parseSettings } from "../server-settings.js";

const { values } = parseArgs({
  options: {
    "database-url": { type: "string" },
    "fanout-windows": { type: "string", default: "100" },
    scenarios: { type: "string", default: "100x20,1000x5" },
    concurrency: { type: "string", default: "100" },
    /** A server setting, `KEY=VALUE` (repeatable), e.g. `--setting DATABASE_PIPELINE=false`. */
    setting: { type: "string", multiple: true, default: [] },
  },
});

const settings = parseSettings(values.setting, "--setting");

/** The p-th percentile of a list of numbers. */
function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((left, right) => left - right);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

async function runScenario(wsUrl: string, scenario: { threads: number; turns: number; concurrency: number }) {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    const client = await TestWsClient.connect(wsUrl);
    try {
      for (let index = next++; index < scenario.threads; index = next++) {
        const { thread_id } = await client.call<{ thread_id: string }>("thread.open", { title: `bench ${index}` });
        for (let turn = 0; turn < scenario.turns; turn += 1) {
          const content = turn % 5 === 4 ? '/tool calculator {"expression":"12*(3+4)"}' : `turn ${turn} of thread ${index}: ${"lorem ipsum ".repeat(16)}`;
          const before = performance.now();
          const { run_id } = await client.call<{ run_id: string }>("run.start", { thread_id, input: { messages: [{ role: "user", content }] } });
          await client.waitFor((frame) => frame.type === "event" && frame.run_id === run_id && (frame.event === "run.completed" || frame.event === "run.failed"), 120_000);
          latencies.push(performance.now() - before);
        }
        await client.call("subscription.unsubscribe", { thread_id });
        client.frames.length = 0;
      }
    } finally {
      await client.close();
    }
  };
  await Promise.all(Array.from({ length: Math.min(scenario.concurrency, scenario.threads) }, worker));
  const seconds = (performance.now() - started) / 1000;
  return { ...scenario, turns_total: latencies.length, seconds, turns_per_second: latencies.length / seconds, p50_ms: percentile(latencies, 50), p99_ms: percentile(latencies, 99) };
}

async function runFanout(wsUrl: string, windows: number) {
  const writer = await TestWsClient.connect(wsUrl);
  const { thread_id } = await writer.call<{ thread_id: string }>("thread.open", { title: "fan-out" });
  const watchers = await Promise.all(Array.from({ length: windows }, () => TestWsClient.connect(wsUrl)));
  await Promise.all(watchers.map((watcher) => watcher.call("subscription.subscribe", { thread_id })));
  const delays: number[] = [];
  for (const watcher of watchers) {
    watcher.socket.on("message", (data: Buffer) => {
      const frame = JSON.parse(data.toString()) as { event?: string; created_at?: string };
      if (frame.event === "message.delta" && frame.created_at) delays.push(Date.now() - Date.parse(frame.created_at));
    });
  }
  const { run_id } = await writer.call<{ run_id: string }>("run.start", { thread_id, input: { messages: [{ role: "user", content: "fan me out ".repeat(40) }] } });
  await Promise.all(watchers.map((watcher) => watcher.waitForEvent("run.completed", { run_id }, 120_000)));
  await Promise.all([writer, ...watchers].map((client) => client.close()));
  return { windows, deltas_delivered: delays.length, delta_p50_ms: percentile(delays, 50), delta_p99_ms: percentile(delays, 99) };
}

async function main(): Promise<void> {
  const database = values["database-url"] ? undefined : await createTestDatabase("tl_bench_runs");
  const config = loadConfig({
    env: {},
    overrides: { PORT: 0, MODEL: "fake", LOG_LEVEL: "silent", DATABASE_URL: values["database-url"] ?? database?.url, RATE_LIMIT_PER_MINUTE: 1_000_000, ...settings },
  });
  const server = await startServer({ config, logger: createLogger({ level: "silent" }) });
  try {
    for (const spec of (values.scenarios ?? "").split(",").filter(Boolean)) {
      const [threads, turns] = spec.split("x").map(Number);
      const result = await runScenario(server.wsUrl, { threads: threads ?? 100, turns: turns ?? 20, concurrency: Number(values.concurrency) });
      console.log(`${spec}: ${result.turns_total} turns in ${result.seconds.toFixed(1)} s → ${result.turns_per_second.toFixed(1)} turns/s, p50 ${result.p50_ms.toFixed(1)} ms, p99 ${result.p99_ms.toFixed(1)} ms`);
    }
    const fanout = await runFanout(server.wsUrl, Number(values["fanout-windows"]));
    console.log(`fan-out: 1 run → ${fanout.windows} windows, ${fanout.deltas_delivered} deltas delivered, delivery p50 ${fanout.delta_p50_ms} ms, p99 ${fanout.delta_p99_ms} ms`);
  } finally {
    await server.close();
    await database?.drop();
  }
}

await main();
