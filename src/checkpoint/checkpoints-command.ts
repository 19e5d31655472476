import { type Command, InvalidArgumentError, Option } from "commander";
import { z } from "zod";
import { MAX_RETENTION_DAYS } from "../config.js";
import { type CommonFlags, withDatabaseOptions, withServices } from "../cli/command-context.js";
import { CheckpointRetention } from "./checkpoint-retention.js";

/** Flags of `threadline checkpoints prune`. */
interface PruneFlags extends CommonFlags {
  days?: number;
  thread?: string;
}

/** `--days`: a number of days from 0 to MAX_RETENTION_DAYS (fractions allowed: 0.5 is twelve hours). */
function parseDays(value: string): number {
  const days = Number(value);
  if (value.trim() === "" || !Number.isFinite(days) || days < 0 || days > MAX_RETENTION_DAYS) {
    throw new InvalidArgumentError(`expected a number of days from 0 to ${MAX_RETENTION_DAYS}`);
  }
  return days;
}

/** `--thread`: a thread id (a UUID). */
function parseThreadId(value: string): string {
  if (!z.uuid().safeParse(value).success) throw new InvalidArgumentError("expected a thread id (a UUID)");
  return value;
}

/**
 * `threadline checkpoints prune [--days N] [--thread ID]`: apply the checkpoint retention policy now (the sweeper
 * does it on a schedule). `--days` overrides CHECKPOINT_RETENTION_DAYS; with neither, nothing is pruned.
 * @example threadline checkpoints prune --days 30
 */
export function registerCheckpointsCommand(program: Command): void {
  const checkpoints = program.command("checkpoints").description("checkpoint storage maintenance");
  withDatabaseOptions(checkpoints.command("prune"))
    .description("prune intermediate checkpoints older than N days; turn-final checkpoints are kept")
    .addOption(new Option("--days <n>", "age in days (env CHECKPOINT_RETENTION_DAYS)").argParser(parseDays))
    .addOption(new Option("--thread <id>", "only this thread").argParser(parseThreadId))
    .action(async (flags: PruneFlags) => {
      const summary = await withServices(flags, async (services) => {
        const days = flags.days ?? services.config.CHECKPOINT_RETENTION_DAYS;
        if (days === undefined) return "no retention configured (set --days or CHECKPOINT_RETENTION_DAYS): nothing pruned";
        const retention = new CheckpointRetention(services.pool);
        if (flags.thread !== undefined) {
          const { rowCount } = await services.pool.query("SELECT 1 FROM threads WHERE thread_id = $1", [flags.thread]);
          if (!rowCount) throw new Error(`thread ${flags.thread} not found in this database`);
        }
        const counts = flags.thread
          ? { threads: 1, ...(await retention.pruneThread(flags.thread, { cutoff: new Date(Date.now() - days * 86_400_000) })) }
          : await retention.sweep({ olderThanDays: days });
        return `pruned ${counts.checkpoints} checkpoints, ${counts.writes} writes, ${counts.blobs} blobs in ${counts.threads} threads (older than ${days} days)`;
      });
      process.stdout.write(`${summary}\n`);
    });
}
