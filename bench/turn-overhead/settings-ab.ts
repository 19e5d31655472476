/**
 * Two server settings, A/B in one process: two Threadline servers on two fresh databases, side A with `--a`
 * settings and side B with `--b` settings (each `KEY=VALUE`, repeatable; none = the defaults), turns of the same
 * conversation in lock-step (alternating which side goes first), so the machine's drift falls on both alike.
 * Prints turn p50 per range of turns.
 * @example node --import tsx bench/turn-overhead/settings-ab.ts --turns 300 --b CHECKPOINT_CACHE_THREADS=0
 * @example node --import tsx bench/turn-overhead/settings-ab.ts --b DATABASE_PREPARED_STATEMENTS=false --durability exit
 */
import { parseArgs } from "node:util";
import { parseSettings } from "../server-settings.js";
import { createBenchDatabase, DEFAULT_ADMIN_URL } from "./bench-database.js";
import { REPLY_MIN_CHARS, scriptedTurn } from "./conversation.js";
import { percentile, timed } from "./measure.js";
import { durabilityOf } from "./options.js";
import { ThreadlineTarget } from "./threadline-driver.js";

const { values } = parseArgs({
  options: {
    turns: { type: "string", default: "300" },
    durability: { type: "string" },
    a: { type: "string", multiple: true, default: [] },
    b: { type: "string", multiple: true, default: [] },
  },
});
const turns = Number(values.turns);
const durability = values.durability === undefined ? undefined : durabilityOf(values.durability);
const adminUrl = process.env.BENCH_DATABASE_URL ?? DEFAULT_ADMIN_URL;


const label = (pairs: string[]) => (pairs.length > 0 ? pairs.join(" ") : "defaults");
await using databaseA = await createBenchDatabase({ adminUrl, prefix: "tl_bench_ab_a" });
await using databaseB = await createBenchDatabase({ adminUrl, prefix: "tl_bench_ab_b" });
await using targetA = await ThreadlineTarget.start({ databaseUrl: databaseA.url, replyMinChars: REPLY_MIN_CHARS, durability, settings: parseSettings(values.a, "--a") });
await using targetB = await ThreadlineTarget.start({ databaseUrl: databaseB.url, replyMinChars: REPLY_MIN_CHARS, durability, settings: parseSettings(values.b, "--b") });
const sides = [
  { name: `A (${label(values.a)})`, target: targetA, thread: "", ms: [] as number[] },
  { name: `B (${label(values.b)})`, target: targetB, thread: "", ms: [] as number[] },
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
