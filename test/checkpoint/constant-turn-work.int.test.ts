import { randomUUID } from "node:crypto";
import { PostgresSaver } from "@langchain/langgraph-checkpoint-postgres";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { saverStatements } from "../../src/checkpoint/saver-sql.js";
import { ThreadlineSaver } from "../../src/checkpoint/threadline-saver.js";
import { migrate } from "../../src/db/migrate.js";
import { createLogger } from "../../src/logger.js";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database.js";
import { countingPool, emptyTally, type QueryTally } from "./counting-pool.js";
import { userTurn, windowedChatGraph } from "./windowed-chat-graph.js";

type Saver = ThreadlineSaver | PostgresSaver;

/** Run `turns` turns on a fresh thread, counting what each turn reads and writes. */
async function runTurns(pool: pg.Pool, options: { turns: number; window: number; saver: (pool: pg.Pool) => Saver; onTurn?: (turn: number, threadId: string) => Promise<void> }): Promise<QueryTally[]> {
  let current = emptyTally();
  const graph = windowedChatGraph(options.saver(countingPool(pool, () => current)), { window: options.window });
  const config = { configurable: { thread_id: randomUUID() } };
  const perTurn: QueryTally[] = [];
  for (let turn = 1; turn <= options.turns; turn += 1) {
    current = emptyTally();
    // Threadline streams with durability "sync": every step's checkpoint is written before the next step.
    await graph.invoke({ messages: [userTurn(turn)] }, { ...config, durability: "sync" });
    perTurn.push(current);
    await options.onTurn?.(turn, config.configurable.thread_id);
  }
  return perTurn;
}

/** Mean of each counter over turns `from`…`to` (1-based, inclusive). */
function meanOver(perTurn: QueryTally[], from: number, to: number): QueryTally {
  const slice = perTurn.slice(from - 1, to);
  const mean = (key: keyof QueryTally) => slice.reduce((sum, tally) => sum + tally[key], 0) / slice.length;
  return { statements: mean("statements"), rowsRead: mean("rowsRead"), bytesRead: mean("bytesRead"), bytesWritten: mean("bytesWritten") };
}

/** Rows and bytes the thread occupies in the checkpointer's tables. */
async function storedBytes(pool: pg.Pool, threadId: string): Promise<number> {
  const { rows } = await pool.query<{ bytes: string }>(
    `SELECT sum(bytes) AS bytes FROM (
       SELECT sum(pg_column_size(t.*)) AS bytes FROM checkpoints t WHERE thread_id = $1
       UNION ALL SELECT sum(pg_column_size(t.*)) FROM checkpoint_blobs t WHERE thread_id = $1
       UNION ALL SELECT sum(pg_column_size(t.*)) FROM checkpoint_writes t WHERE thread_id = $1
       UNION ALL SELECT sum(pg_column_size(t.*)) FROM checkpoint_messages t WHERE thread_id = $1) s`,
    [threadId],
  );
  return Number(rows[0]?.bytes ?? 0);
}

/**
 * What Postgres itself touches to read the thread's latest checkpoint (the saver's getTuple statement): shared
 * buffers hit or read, and rows produced by every plan node, from EXPLAIN (ANALYZE, BUFFERS).
 */
async function readWork(pool: pg.Pool, threadId: string): Promise<{ buffers: number; rows: number }> {
  const sql = `EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${saverStatements("public").selectCheckpointWithMessages} WHERE thread_id = $1 AND checkpoint_ns = '' ORDER BY checkpoint_id DESC LIMIT 1`;
  const { rows } = await pool.query<{ "QUERY PLAN": [{ Plan: PlanNode }] }>(sql, [threadId]);
  const total = { buffers: 0, rows: 0 };
  const visit = (node: PlanNode) => {
    total.rows += (node["Actual Rows"] ?? 0) * (node["Actual Loops"] ?? 1);
    for (const child of node.Plans ?? []) visit(child);
  };
  const plan = rows[0]?.["QUERY PLAN"][0].Plan;
  if (plan) {
    visit(plan);
    total.buffers = (plan["Shared Hit Blocks"] ?? 0) + (plan["Shared Read Blocks"] ?? 0);
  }
  return total;
}

interface PlanNode {
  "Actual Rows"?: number;
  "Actual Loops"?: number;
  "Shared Hit Blocks"?: number;
  "Shared Read Blocks"?: number;
  Plans?: PlanNode[];
}

/** Each counter of `late` is within `tolerance` of `early` (plus a few bytes for longer numbers in late turns). */
function expectFlat(early: QueryTally, late: QueryTally, tolerance = 0.05): void {
  for (const key of Object.keys(early) as (keyof QueryTally)[]) {
    expect(late[key], key).toBeLessThanOrEqual(early[key] * (1 + tolerance) + 16);
    expect(late[key], key).toBeGreaterThanOrEqual(early[key] * (1 - tolerance) - 16);
  }
}

describe("per-turn checkpoint work does not grow with the thread (counted rows and bytes, not time)", () => {
  let database: TestDatabase;
  let pool: pg.Pool;

  beforeAll(async () => {
    database = await createTestDatabase();
    pool = new pg.Pool({ connectionString: database.url, max: 4 });
    await migrate({ pool, logger: createLogger({ level: "silent" }) });
  });
  afterAll(async () => {
    await pool.end();
    await database.drop();
  });

  it("2,000 turns with a bounded working context: turn 2,000 reads and writes what turn 200 did; storage grows linearly", async () => {
    const stored = new Map<number, number>();
    const work = new Map<number, { buffers: number; rows: number }>();
    const perTurn = await runTurns(pool, {
      turns: 2000,
      window: 20,
      saver: (counted) => new ThreadlineSaver(counted),
      onTurn: async (turn, threadId) => {
        if (turn === 200 || turn === 1100 || turn === 2000) stored.set(turn, await storedBytes(pool, threadId));
        if (turn === 200 || turn === 2000) work.set(turn, await readWork(pool, threadId));
      },
    });
    const early = meanOver(perTurn, 101, 200);
    const late = meanOver(perTurn, 1901, 2000);
    expectFlat(early, late);
    expect(late.rowsRead).toBeLessThan(40);
    // Inside Postgres too: the read probes primary keys (one per channel, one per range), it scans nothing whole.
    const [before, after] = [work.get(200), work.get(2000)];
    expect(before?.rows).toBeGreaterThan(0);
    expect(after?.rows).toBeLessThanOrEqual((before?.rows ?? 0) * 1.05 + 2);
    expect(after?.buffers).toBeLessThanOrEqual((before?.buffers ?? 0) * 1.25 + 8);
    // Linear storage: the same number of bytes per turn in the second half as in the first.
    const firstHalf = ((stored.get(1100) ?? 0) - (stored.get(200) ?? 0)) / 900;
    const secondHalf = ((stored.get(2000) ?? 0) - (stored.get(1100) ?? 0)) / 900;
    expect(secondHalf).toBeLessThanOrEqual(firstHalf * 1.05);
    expect(secondHalf).toBeGreaterThanOrEqual(firstHalf * 0.95);
  }, 900_000);

  it("without a bound, what a turn writes still does not grow (each message is stored once)", async () => {
    const perTurn = await runTurns(pool, { turns: 400, window: Number.POSITIVE_INFINITY, saver: (counted) => new ThreadlineSaver(counted) });
    const early = meanOver(perTurn, 101, 150);
    const late = meanOver(perTurn, 351, 400);
    expect(late.bytesWritten).toBeLessThanOrEqual(early.bytesWritten * 1.05 + 16);
    expect(late.statements).toBe(early.statements);
    // Reading the whole conversation back is the part only a bounded context keeps flat.
    expect(late.bytesRead).toBeGreaterThan(early.bytesRead * 2);
  }, 900_000);

  it("the same counting shows PostgresSaver rewriting the whole list: its bytes written per turn grow", async () => {
    const perTurn = await runTurns(pool, { turns: 200, window: Number.POSITIVE_INFINITY, saver: (counted) => new PostgresSaver(counted) });
    expect(meanOver(perTurn, 181, 200).bytesWritten).toBeGreaterThan(meanOver(perTurn, 41, 60).bytesWritten * 2.5);
  }, 900_000);
});
