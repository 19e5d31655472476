import { loadavg } from "node:os";
import { performance } from "node:perf_hooks";
import { type CountedMessage, scriptedTurn, transcriptBytes } from "./conversation.js";
import { latencyAtTurn, type LatencySummary, summarize, timed, timeRepeated } from "./measure.js";
import type { StoredBytes } from "./stored-bytes.js";
import type { BenchTarget, TurnOutput } from "./target.js";

/** How a side is exercised; the same for both sides of a run. */
export interface ScenarioOptions {
  /** Turns of the long thread. */
  turns: number;
  /** Turns at which reads, storage and latency are reported (the last turn is always one). */
  checkpoints: number[];
  /** Latency at turn N pools the last `window` turns up to N. */
  window: number;
  /** Extra fresh threads of `shortTurns` turns, so early turns have more than one sample each. */
  shortThreads: number;
  /** Turns of each short thread. */
  shortTurns: number;
  /** Unmeasured turns on a throwaway thread first (JIT, pool connections, prepared plans). */
  warmupTurns: number;
  /** Wait (untimed) for each side's after-answer work before the next turn; false acts like an eager client. */
  settle: boolean;
  /** Times each read is repeated at a checkpoint. */
  reads: number;
  /** Stop the long thread after this long and report where it got to. */
  budgetMs: number;
  /** Progress lines go here. */
  log: (line: string) => void;
}

/** One timed read at a checkpoint. */
export interface ReadResult {
  label: string;
  latency: LatencySummary;
}

/** Everything measured when the long thread reached a checkpoint turn. */
export interface CheckpointResult {
  turn: number;
  latency: LatencySummary;
  reads: Record<string, ReadResult>;
  stored: StoredBytes;
  /** UTF-8 bytes of the conversation so far (contents + tool arguments). */
  transcriptBytes: number;
  messages: number;
  /** The untimed after-answer work (`settle`) over the same window of the long thread. */
  settle: LatencySummary;
  /** Milliseconds since the long thread started (both sides together). */
  elapsedMs: number;
  /** The machine's 1-minute load average then: other work on the machine shows up here. */
  loadAverage: number;
}

/** One side's results. */
export interface SideResult {
  name: string;
  turnsRequested: number;
  turnsCompleted: number;
  /** Why the long thread stopped before `turnsRequested`, if it did. */
  stoppedEarly?: string;
  checkpoints: CheckpointResult[];
  /** Every turn of the long thread, in order (ms). */
  longThread: number[];
  /** Untimed work after each turn's answer (`settle`), every turn of the long thread (ms). */
  settle: number[];
  /** Every turn of each short thread (ms). */
  shortThreads: number[][];
  /** `thread_busy` refusals retried across all turns. */
  busyRetries: number;
  /** The long thread's storage after the side's own maintenance (`BenchTarget.maintain`), and what it did. */
  afterMaintenance?: { stored: StoredBytes; what: string };
  /** Time spent in this side's turns and checkpoint reads (sides run interleaved, so not a wall-clock span). */
  wallMs: number;
}

/**
 * Drive every target through warm-up, the short threads and the long thread, turn by turn in lock-step (turn k on
 * each side before turn k+1 on any), so that whatever else the machine is doing falls on both sides alike.
 */
export async function runScenario(targets: readonly BenchTarget[], options: ScenarioOptions, onCheckpoint: (partial: SideResult[]) => void): Promise<SideResult[]> {
  const scenario = new LockstepScenario(targets, options);
  await scenario.warmUp();
  await scenario.runShortThreads();
  options.log(`warm-up and ${options.shortThreads} short threads done; long thread of ${options.turns} turns on ${targets.map((target) => target.name).join(" and ")}…`);
  await scenario.runLongThread(onCheckpoint);
  return scenario.results();
}

interface Side {
  target: BenchTarget;
  result: SideResult;
  /** The long thread's conversation so far, for its transcript size. */
  said: CountedMessage[];
}

/** The state of one run over several targets. */
class LockstepScenario {
  private readonly sides: Side[];

  constructor(
    targets: readonly BenchTarget[],
    private readonly options: ScenarioOptions,
  ) {
    this.sides = targets.map((target) => ({ target, result: emptyResult(target.name, options.turns), said: [] }));
  }

  async warmUp(): Promise<void> {
    const threadIds = await this.newThreads();
    for (let turn = 1; turn <= this.options.warmupTurns; turn += 1) await this.turnOnEach(threadIds, turn);
  }

  async runShortThreads(): Promise<void> {
    for (let thread = 0; thread < this.options.shortThreads; thread += 1) {
      const threadIds = await this.newThreads();
      const latencies = this.sides.map((side) => side.result.shortThreads[side.result.shortThreads.push([]) - 1] ?? []);
      for (let turn = 1; turn <= this.options.shortTurns; turn += 1) {
        for (const [index, { ms }] of (await this.turnOnEach(threadIds, turn)).entries()) latencies[index]?.push(ms);
      }
    }
  }

  async runLongThread(onCheckpoint: (partial: SideResult[]) => void): Promise<void> {
    const { options } = this;
    const threadIds = await this.newThreads();
    for (const side of this.sides) side.result.settle = [];
    const started = performance.now();
    const checkpoints = new Set(options.checkpoints.filter((turn) => turn <= options.turns).concat(options.turns));
    for (let turn = 1; turn <= options.turns; turn += 1) {
      for (const [index, { ms, output }] of (await this.turnOnEach(threadIds, turn)).entries()) {
        this.sides[index]?.result.longThread.push(ms);
        this.sides[index]?.said.push(...output.messages);
      }
      const overBudget = performance.now() - started > options.budgetMs && turn < options.turns;
      for (const side of this.sides) {
        side.result.turnsCompleted = turn;
        if (overBudget) side.result.stoppedEarly = `time budget of ${(options.budgetMs / 60_000).toFixed(0)} min reached at turn ${turn}`;
      }
      if (checkpoints.has(turn) || overBudget) {
        for (const [index, side] of this.sides.entries()) await this.checkpoint(side, { threadId: threadIds[index] ?? "", turn, started });
        onCheckpoint(this.results());
      } else if (turn % progressEvery(options.turns) === 0) {
        const last = this.sides.map((side) => `${side.target.name} ${side.result.longThread.at(-1)?.toFixed(1) ?? "?"} ms`).join(", ");
        options.log(`turn ${turn}/${options.turns}: ${last}; ${((performance.now() - started) / 1000).toFixed(0)} s`);
      }
      if (overBudget) break;
    }
    for (const [index, side] of this.sides.entries()) {
      const threadId = threadIds[index] ?? "";
      if (!side.target.maintain) continue;
      const what = await side.target.maintain(threadId);
      side.result.afterMaintenance = { stored: await side.target.storedBytes(threadId), what };
      onCheckpoint(this.results());
    }
  }

  results(): SideResult[] {
    return this.sides.map((side) => side.result);
  }

  /** One timed turn on each side, then each side's untimed settle, so no side's leftovers overlap the next turn. */
  private async turnOnEach(threadIds: string[], turn: number): Promise<{ ms: number; output: TurnOutput }[]> {
    const outcomes: { ms: number; output: TurnOutput }[] = [];
    for (const [index, side] of this.sides.entries()) {
      const { ms, result: output } = await timed(() => side.target.turn(threadIds[index] ?? "", scriptedTurn(turn).text));
      const settled = await timed(() => (this.options.settle ? side.target.settle?.() : undefined) ?? Promise.resolve());
      side.result.wallMs += ms + settled.ms;
      side.result.settle.push(settled.ms);
      side.result.busyRetries += output.busyRetries;
      outcomes.push({ ms, output });
    }
    return outcomes;
  }

  private async checkpoint(side: Side, at: { threadId: string; turn: number; started: number }): Promise<void> {
    const { options } = this;
    const threads = [...side.result.shortThreads, side.result.longThread];
    const latency = latencyAtTurn(threads, at.turn, options.window);
    const { ms, result: measured } = await timed(() => measureCheckpoint(side.target, { ...at, said: side.said, latency, reads: options.reads }));
    side.result.wallMs += ms;
    const settle = summarize(side.result.settle.slice(-Math.min(at.turn, options.window)));
    side.result.checkpoints.push({ ...measured, settle, elapsedMs: performance.now() - at.started, loadAverage: loadavg()[0] ?? 0 });
    options.log(describeCheckpoint(side.target.name, side.result.checkpoints.at(-1)));
  }

  private newThreads(): Promise<string[]> {
    return Promise.all(this.sides.map((side) => side.target.createThread()));
  }
}

function emptyResult(name: string, turns: number): SideResult {
  return { name, turnsRequested: turns, turnsCompleted: 0, checkpoints: [], longThread: [], settle: [], shortThreads: [], busyRetries: 0, wallMs: 0 };
}

async function measureCheckpoint(
  target: BenchTarget,
  at: { threadId: string; turn: number; said: CountedMessage[]; latency: LatencySummary; reads: number },
): Promise<Omit<CheckpointResult, "elapsedMs" | "loadAverage" | "settle">> {
  const reads: Record<string, ReadResult> = {};
  for (const read of target.reads) reads[read.key] = { label: read.label, latency: await timeRepeated(() => read.read(at.threadId), at.reads) };
  return {
    turn: at.turn,
    latency: at.latency,
    reads,
    stored: await target.storedBytes(at.threadId),
    transcriptBytes: transcriptBytes(at.said),
    messages: at.said.length,
  };
}

function describeCheckpoint(name: string, checkpoint: CheckpointResult | undefined): string {
  if (!checkpoint) return `${name}: no checkpoint`;
  const state = checkpoint.reads.state?.latency.p50.toFixed(1) ?? "?";
  return (
    `${name}: turn ${checkpoint.turn} p50 ${checkpoint.latency.p50.toFixed(1)} ms p95 ${checkpoint.latency.p95.toFixed(1)} ms, ` +
    `state ${state} ms, stored ${(checkpoint.stored.stored / 1e6).toFixed(2)} MB, ${(checkpoint.elapsedMs / 1000).toFixed(0)} s`
  );
}

function progressEvery(turns: number): number {
  return Math.max(10, Math.round(turns / 20));
}
