import { type Command, Option } from "commander";
import { type CommonFlags, withDatabaseOptions, withServices } from "../cli/command-context.js";
import { CheckpointRetention } from "./checkpoint-retention.js";

/** Flags of `threadline checkpoints prune`. */
interface PruneFlags extends CommonFlags {
  days?: string;
  thread?: string;
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
    .addOption(new Option("--days <n>", "age in days (env CHECKPOINT_RETENTION_DAYS)"))
    .addOption(new Option("--thread <id>", "only this thread"))
    .action(async (flags: PruneFlags) => {
      const summary = await withServices(flags, async (services) => {
        const days = flags.days !== undefined ? Number(flags.days) : services.config.CHECKPOINT_RETENTION_DAYS;
        if (days === undefined || !Number.isFinite(days) || days < 0) return "no retention configured (set --days or CHECKPOINT_RETENTION_DAYS): nothing pruned";
        const retention = new CheckpointRetention(services.pool);
        const counts = flags.thread
          ? { threads: 1, ...(await retention.pruneThread(flags.thread, { cutoff: new Date(Date.now() - days * 86_400_000) })) }
          : await retention.sweep({ olderThanDays: days });
        return `pruned ${counts.checkpoints} checkpoints, ${counts.writes} writes, ${counts.blobs} blobs in ${counts.threads} threads (older than ${days} days)`;
      });
      process.stdout.write(`${summary}\n`);
    });
}
