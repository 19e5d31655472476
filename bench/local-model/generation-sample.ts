import type { CpuSpent } from "./cpu-meter.js";

/** One timed generation, as either side measured it. */
export interface GenerationSample {
  /** From the request (run.start sent / generateResponse called) to the first text. */
  firstTokenMs: number;
  /** From the first text to the last. */
  streamMs: number;
  /** Tokens generated. */
  tokens: number;
  /** Threadline only: until the `run.start` answer (the run and its input committed). */
  acceptedMs?: number;
  /** Threadline only, timed in-process: from `run.start` sent until node-llama-cpp was called. */
  beforeModelMs?: number;
  /** Threadline only, timed in-process: from node-llama-cpp's first text until the first delta reached the client. */
  afterFirstTextMs?: number;
  /** Threadline only: node-llama-cpp's own first-to-last text inside the run (its speed there, before delivery). */
  modelStreamMs?: number;
  /** CPU time the whole sample cost (set by the benchmark around each call). */
  cpu?: CpuSpent;
}

/** What both sides share: the model file, the context shape and the sampling. */
export interface GenerationSettings {
  modelPath: string;
  threads: number;
  contextSize: number;
  sequences: number;
  maxTokens: number;
  seed: number;
}

/** Tokens per second after the first token (the first token's latency is reported separately). */
export function tokensPerSecond(sample: GenerationSample, streamMs = sample.streamMs): number {
  return sample.tokens > 1 && streamMs > 0 ? ((sample.tokens - 1) * 1000) / streamMs : 0;
}

/** The median of a list of numbers. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((left, right) => left - right);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}
