import type { CheckpointResult, SideResult } from "./scenario.js";
import type { StoredBytes } from "./stored-bytes.js";

/** Where and how a run was made, printed above the table and stored with the results. */
export interface RunMetadata {
  startedAt: string;
  node: string;
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  postgres: string;
  turns: number;
  window: number;
  shortThreads: number;
  shortTurns: number;
  warmupTurns: number;
  reads: number;
  replyMinChars: number;
  /** Whether each turn waited (untimed) for the previous run's bookkeeping; false with `--no-settle`. */
  settle: boolean;
  /** `git` commit measured, with a note when the runtime's files had uncommitted changes. */
  code?: string;
  /** Wall-clock time of the whole run, both sides, database set-up included. */
  wallMs?: number;
}

/** Everything one run produced: the JSON written to `out/`. */
export interface RunReport {
  meta: RunMetadata;
  sides: SideResult[];
}

/** The comparison as a Markdown table (readable on a terminal, pasteable into docs/benchmarks.md). */
export function renderReport(report: RunReport): string {
  const { meta, sides } = report;
  const turns = [...new Set(sides.flatMap((side) => side.checkpoints.map((checkpoint) => checkpoint.turn)))].sort((left, right) => left - right);
  const header = `| metric | side | ${turns.map((turn) => `turn ${turn}`).join(" | ")} |`;
  const rule = `|---|---|${turns.map(() => "---:").join("|")}|`;
  const rows: string[] = [];
  const row = (metric: string, side: string, cell: (checkpoint: CheckpointResult) => string) => {
    const target = sides.find((candidate) => candidate.name === side);
    if (!target) return;
    const cells = turns.map((turn) => {
      const checkpoint = target.checkpoints.find((candidate) => candidate.turn === turn);
      return checkpoint ? cell(checkpoint) : "–";
    });
    rows.push(`| ${metric} | ${side} | ${cells.join(" | ")} |`);
  };
  const readP50 = (key: string) => (checkpoint: CheckpointResult) => {
    const read = checkpoint.reads[key];
    return read ? ms(read.latency.p50) : "–";
  };
  for (const side of sides) row("turn p50 / p95", side.name, (checkpoint) => `${ms(checkpoint.latency.p50)} / ${ms(checkpoint.latency.p95)}`);
  row("after run.completed: run bookkeeping still running p50 (untimed)", "threadline", (checkpoint) => ms(checkpoint.settle.p50));
  for (const side of sides) row("state read p50", side.name, readP50("state"));
  row("state read p50 (in-process)", "threadline", readP50("state_in_process"));
  for (const side of sides) row("first page of history (10 messages) p50", side.name, readP50("first_page"));
  for (const side of sides) row("state history (10 checkpoints) p50", side.name, readP50("history"));
  for (const side of sides) row("stored bytes (compressed, as stored)", side.name, (checkpoint) => bytes(checkpoint.stored.stored));
  for (const side of sides) row("stored bytes (before compression)", side.name, (checkpoint) => bytes(checkpoint.stored.logical));
  for (const side of sides) row("stored ÷ transcript", side.name, (checkpoint) => `${(checkpoint.stored.stored / Math.max(1, checkpoint.transcriptBytes)).toFixed(1)}×`);
  for (const side of sides) row("transcript bytes (contents + tool args)", side.name, (checkpoint) => bytes(checkpoint.transcriptBytes));
  for (const side of sides) row("messages in the thread", side.name, (checkpoint) => String(checkpoint.messages));

  const lines = [
    `Turn overhead: ${meta.turns} turns, fake model (${meta.replyMinChars}-char replies, a calculator call every 5th turn)`,
    `Node ${meta.node}, ${meta.cpus} × ${meta.cpuModel}, ${meta.memoryGiB} GiB, PostgreSQL ${meta.postgres}; started ${meta.startedAt}; code ${meta.code ?? "not recorded"}`,
    `Latency at turn N = p50/p95 over turns max(1, N-${meta.window - 1})…N of the long thread and the ${meta.shortThreads} short ` +
      `${meta.shortTurns}-turn threads; reads repeated ${meta.reads}× at each checkpoint` +
      `${meta.settle === false ? "; --no-settle: each turn started as soon as the previous run.completed arrived" : ""}.`,
    "",
    header,
    rule,
    ...rows,
    "",
    ...sides.map(describeSide),
    ...sides.map(describeTables),
  ];
  if (meta.wallMs !== undefined) lines.push(`total wall time: ${seconds(meta.wallMs)}`);
  return lines.join("\n");
}

function describeSide(side: SideResult): string {
  const load = side.checkpoints.map((checkpoint) => checkpoint.loadAverage.toFixed(1)).join(", ");
  const stopped = side.stoppedEarly ? `; STOPPED EARLY: ${side.stoppedEarly}` : "";
  const retries = side.name === "threadline" ? `; run.start refused with thread_busy and retried: ${side.busyRetries}×` : "";
  return `${side.name}: ${side.turnsCompleted}/${side.turnsRequested} turns, ${seconds(side.wallMs)} in turns and reads${retries}${stopped}; load average at checkpoints: ${load}`;
}

function describeTables(side: SideResult): string {
  const last = side.checkpoints.at(-1);
  if (!last) return `${side.name}: nothing measured`;
  const describe = (stored: StoredBytes) => {
    const tables = stored.tables.map((table) => `${table.table} ${table.rows} rows ${bytes(table.stored)}`).join(", ");
    const checkpointer = stored.tables.filter((table) => table.table.startsWith("checkpoint")).reduce((sum, table) => sum + table.stored, 0);
    const ratio = (value: number) => `${(value / Math.max(1, last.transcriptBytes)).toFixed(2)}×`;
    return `${tables}; whole thread ${bytes(stored.stored)} (${ratio(stored.stored)} the transcript), checkpointer tables ${bytes(checkpointer)} (${ratio(checkpointer)})`;
  };
  const after = side.afterMaintenance ? `\n${side.name} storage after ${side.afterMaintenance.what}: ${describe(side.afterMaintenance.stored)}` : "";
  return `${side.name} storage at turn ${last.turn}: ${describe(last.stored)}${after}`;
}

function ms(value: number): string {
  if (!Number.isFinite(value)) return "–";
  if (value >= 1000) return `${(value / 1000).toFixed(2)} s`;
  return `${value.toFixed(value < 10 ? 2 : 1)} ms`;
}

function bytes(value: number): string {
  if (value >= 1e9) return `${(value / 1e9).toFixed(2)} GB`;
  if (value >= 1e6) return `${(value / 1e6).toFixed(1)} MB`;
  if (value >= 1e3) return `${(value / 1e3).toFixed(1)} kB`;
  return `${value} B`;
}

function seconds(value: number): string {
  return value >= 120_000 ? `${(value / 60_000).toFixed(1)} min` : `${(value / 1000).toFixed(1)} s`;
}
