import { performance } from "node:perf_hooks";

/** p50/p95 (and the sample count) of a set of durations in milliseconds. */
export interface LatencySummary {
  p50: number;
  p95: number;
  min: number;
  max: number;
  samples: number;
}

/** Nearest-rank percentile (0 < q ≤ 1) of unsorted samples; NaN when there are none. */
export function percentile(samples: readonly number[], quantile: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((left, right) => left - right);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(quantile * sorted.length)));
  return sorted[rank - 1] ?? Number.NaN;
}

/** Summarise durations; percentiles are nearest-rank, so p95 of fewer than 20 samples is the maximum. */
export function summarize(samples: readonly number[]): LatencySummary {
  return {
    p50: percentile(samples, 0.5),
    p95: percentile(samples, 0.95),
    min: samples.length > 0 ? Math.min(...samples) : Number.NaN,
    max: samples.length > 0 ? Math.max(...samples) : Number.NaN,
    samples: samples.length,
  };
}

/** Run `work` and return how long it took in milliseconds, with its result. */
export async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; result: T }> {
  const start = performance.now();
  const result = await work();
  return { ms: performance.now() - start, result };
}

/** Run a read `times` times back to back and summarise its latency (the first call is not discarded). */
export async function timeRepeated(work: () => Promise<unknown>, times: number): Promise<LatencySummary> {
  const samples: number[] = [];
  for (let index = 0; index < times; index += 1) samples.push((await timed(work)).ms);
  return summarize(samples);
}

/**
 * Latency "at turn N": the window of the last `window` turns up to N (turns max(1, N-window+1)…N), pooled over
 * every thread that reached N. A window instead of the single turn N, because every 5th turn is a tool turn
 * (two model calls): turn 10, 100 and 1000 alone would each be one slow sample.
 */
export function latencyAtTurn(threads: readonly (readonly number[])[], turn: number, window: number): LatencySummary {
  const first = Math.max(1, turn - window + 1);
  const samples: number[] = [];
  for (const latencies of threads) {
    if (latencies.length < turn) continue;
    for (let index = first; index <= turn; index += 1) samples.push(latencies[index - 1] ?? Number.NaN);
  }
  return summarize(samples);
}

/** The p50 of consecutive buckets of turns (plotted at each bucket's middle turn): about `buckets` points at any length. */
export function bucketedMedians(latencies: readonly number[], buckets: number): { turn: number; p50: number }[] {
  const size = Math.max(1, Math.ceil(latencies.length / buckets));
  const points: { turn: number; p50: number }[] = [];
  for (let start = 0; start < latencies.length; start += size) {
    const slice = latencies.slice(start, start + size);
    points.push({ turn: start + Math.ceil(slice.length / 2), p50: percentile(slice, 0.5) });
  }
  return points;
}
