import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SessionStore } from "../../src/sessions/session-store.js";
import type { SessionSearchFilter } from "../../src/sessions/session.js";
import { STORAGE_BACKENDS, type StorageBackend } from "./storage-backends.js";

// The Postgres backend: the plan is the server's. Many users with many threads each, so a plan that reads a user's
// threads and sorts them costs what it would in production, and the planner chooses between the two honestly.
const postgres = STORAGE_BACKENDS.filter((backend) => backend.name === "Postgres");

interface PlanNode {
  "Node Type": string;
  "Index Name"?: string;
  "Scan Direction"?: string;
  Plans?: PlanNode[];
}

function nodesOf(plan: PlanNode): PlanNode[] {
  return [plan, ...(plan.Plans ?? []).flatMap(nodesOf)];
}

describe.each(postgres)("thread search's order on $name", (kind) => {
  let backend: StorageBackend;

  beforeAll(async () => {
    backend = await kind.open();
    await backend.pool.query(
      `INSERT INTO threads (thread_id, user_id, assistant_id, metadata, created_at, updated_at, last_activity_at)
       SELECT gen_random_uuid(), 'user-' || (n % 50), 'chat', jsonb_build_object('n', n),
              now() - n * interval '1 minute', now() - ((n * 7919) % 20000) * interval '1 second', now() - n * interval '1 minute'
         FROM generate_series(1, 20000) AS n`,
    );
    await backend.pool.query("ANALYZE threads");
  });
  afterAll(async () => backend.dispose());

  /** The plan of the statement `SessionStore.search` runs for `filter`, as Postgres would execute it. */
  async function searchPlan(filter: SessionSearchFilter): Promise<PlanNode> {
    const statements: [string, unknown[]][] = [];
    const recording = { query: (sql: string, params: unknown[]) => (statements.push([sql, params]), backend.pool.query(sql, params)) } as unknown as pg.Pool;
    await new SessionStore(recording).search("user-7", filter);
    const [statement] = statements;
    if (!statement) throw new Error("search ran no statement");
    const { rows } = await backend.pool.query<{ "QUERY PLAN": { Plan: PlanNode }[] }>(`EXPLAIN (FORMAT JSON) ${statement[0]}`, statement[1]);
    const plan = rows[0]?.["QUERY PLAN"][0]?.Plan;
    if (!plan) throw new Error("no plan");
    return plan;
  }

  it.each([
    ["updated_at", "desc", "threads_user_updated", "Forward"],
    ["updated_at", "asc", "threads_user_updated", "Backward"],
    ["created_at", "desc", "threads_user_created", "Forward"],
    ["created_at", "asc", "threads_user_created", "Backward"],
  ] as const)("%s %s reads the user's threads in order from %s, with no sort", async (column, order, index, direction) => {
    const plan = nodesOf(await searchPlan({ limit: 10, offset: 20, sort_by: column, sort_order: order }));
    expect(plan.map((node) => node["Node Type"])).not.toContain("Sort");
    expect(plan.find((node) => node["Index Name"] === index)).toMatchObject({ "Scan Direction": direction });
  });

  it.each(["updated_at", "created_at"] as const)("the page by %s is the same as sorting every thread of the user", async (column) => {
    const store = new SessionStore(backend.pool);
    const page = await store.search("user-7", { limit: 15, offset: 5, sort_by: column, sort_order: "desc" });
    const { rows } = await backend.pool.query<{ thread_id: string }>(
      `SELECT thread_id FROM threads WHERE user_id = 'user-7' ORDER BY ${column} DESC, thread_id DESC LIMIT 15 OFFSET 5`,
    );
    expect(page.map((session) => session.thread_id)).toEqual(rows.map((row) => row.thread_id));
  });
});
