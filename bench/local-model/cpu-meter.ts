import { readdirSync, readFileSync } from "node:fs";

/** CPU time spent while a sample ran: this process (all its threads: llama.cpp's too) and the Postgres server. */
export interface CpuSpent {
  processMs: number;
  /** Every `postgres` process on this machine (Linux /proc); undefined elsewhere or on the embedded database. */
  postgresMs?: number;
}

// /proc/<pid>/stat counts in clock ticks; 100 per second on every Linux this runs on (getconf CLK_TCK).
const MS_PER_TICK = 10;

/**
 * Measure the CPU a piece of work costs. Wall-clock tokens/s on a small shared machine moves by ±15% between runs;
 * CPU time per token moves far less, and shows where the time beside the model goes (this process or Postgres).
 */
export async function measureCpu<T>(work: () => Promise<T>, options: { postgres: boolean }): Promise<{ result: T; cpu: CpuSpent }> {
  const postgresBefore = options.postgres ? postgresCpuMs() : undefined;
  const before = process.cpuUsage();
  const result = await work();
  const spent = process.cpuUsage(before);
  const postgresAfter = postgresBefore === undefined ? undefined : postgresCpuMs();
  return {
    result,
    cpu: {
      processMs: (spent.user + spent.system) / 1000,
      ...(postgresBefore !== undefined && postgresAfter !== undefined ? { postgresMs: postgresAfter - postgresBefore } : {}),
    },
  };
}

/** User + system time of every running `postgres` process, or undefined without /proc. */
function postgresCpuMs(): number | undefined {
  let pids: string[];
  try {
    pids = readdirSync("/proc").filter((name) => /^\d+$/.test(name));
  } catch {
    return undefined;
  }
  let ticks = 0;
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      if (!stat.includes("(postgres)")) continue;
      // Fields after the command name: state is 3rd, utime the 14th and stime the 15th of the whole line.
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      ticks += Number(fields[11] ?? 0) + Number(fields[12] ?? 0);
    } catch {
      // The process ended between listing and reading.
    }
  }
  return ticks * MS_PER_TICK;
}
