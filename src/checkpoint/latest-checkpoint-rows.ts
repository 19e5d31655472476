import type pg from "pg";
import { withTransactionBegun } from "../db/database.js";
import type { CheckpointRow } from "./checkpoint-row-reader.js";
import type { SaverStatements } from "./saver-sql.js";

/**
 * The rows of the latest root checkpoint of each thread (`selectLatestCheckpointsWithMessages`), read with JIT off:
 * planned for a hundred threads, the per-checkpoint subqueries add up past `jit_above_cost`, and JIT would compile
 * for longer (tens of ms; seconds past `jit_optimize_above_cost`) than the index probes take. BEGIN, `SET LOCAL`,
 * the read and COMMIT go in one round trip.
 */
export function latestCheckpointRows(pool: pg.Pool, statements: SaverStatements, threadIds: readonly string[]): Promise<CheckpointRow[]> {
  return withTransactionBegun(pool, async (client, begun, commit) => {
    const settings = client.query("SET LOCAL jit = off");
    const read = client.query<CheckpointRow>(statements.selectLatestCheckpointsWithMessages, [threadIds]);
    const [, , result] = await Promise.all([begun, settings, read, commit()]);
    return result.rows;
  });
}
