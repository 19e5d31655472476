/**
 * The checkpoint cache (`CHECKPOINT_CACHE_THREADS`), A/B in one process: two servers on two fresh databases, one
 * with the default cache and one with it off, turns of the same conversation in lock-step (alternating which side
 * goes first), so the machine's drift falls on both alike. Prints turn p50 per range of turns.
 * @example node --import tsx bench/turn-overhead/checkpoint-cache-ab.ts --turns 300 --durability exit
 */
import { parseArgs } from "node:util";
import { createBenchDatabase, DEFAULT_ADMIN_URL } from "./bench-database.js";
import { REPLY_MIN_CHARS, scriptedTurn } from "./conversation.js";
import { percentile, timed } from "./measure.js";
import { durabilityOf } from "./options.js";
import { ThreadlineTarget } from "./threadline-driver.js";

const { values } = parseArgs({ options: { turns: { type: "string", default: "300" }, durability: { type: "string" } } });
const turns = Number(values.turns);
const durability = values.durability === undefined ? undefined : durabilityOf(values.durability);
const adminUrl = process.env.BENCH_DATABASE_URL ?? DEFAULT_ADMIN_URL;

await using cachedDb = await createBenchDatabase({ adminUrl, prefix: "tl_bench_cache_on" });
await using uncachedDb = await createBenchDatabase({ adminUrl, prefix: "tl_bench_cache_off" });
await using cached = await ThreadlineTarget.start({ databaseUrl: cachedDb.url, replyMinChars: REPLY_MIN_CHARS, durability });
await using uncached = await ThreadlineTarget.start({ databaseUrl: uncachedDb.url, replyMinChars: REPLY_MIN_CHARS, durability, checkpointCacheThreads: 0 });
const sides = [
  { name: "cache on", target: cached, thread: "", ms: [] as number[] },
  { name: "cache off", target: uncached, thread: "", ms: [] as number[] },
];

// Warm-up on a throwaway thread each (JIT, pool connections), then the measured thread.
for (const side of sides) {
  const warmup = await side.target.createThread();
  for (let turn = 1; turn <= 5; turn += 1) await side.target.turn(warmup, scriptedTurn(turn).text);
  await side.target.settle();
  side.thread = await side.target.createThread();
}
for (let turn = 1; turn <= turns; turn += 1) {
  for (const side of turn % 2 === 1 ? sides : [...sides].reverse()) {
    const { ms } = await timed(() => side.target.turn(side.thread, scriptedTurn(turn).text));
    await side.target.settle();
    side.ms.push(ms);
  }
}

const p50 = (samples: number[]) => percentile(samples, 0.5);
const ranges = [[2, Math.min(50, turns)], [51, Math.min(150, turns)], [151, turns]].filter(([from, to]) => (from ?? 0) <= (to ?? 0));
for (const [from = 2, to = turns] of ranges) {
  console.log(`turns ${from}–${to}: ${sides.map((side) => `${side.name} p50 ${p50(side.ms.slice(from - 1, to)).toFixed(1)} ms`).join(", ")}`);
}
if (ranges.length > 1) console.log(`turns 2–${turns}: ${sides.map((side) => `${side.name} p50 ${p50(side.ms.slice(1)).toFixed(1)} ms`).join(", ")}`);
