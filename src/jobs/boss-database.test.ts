import { describe, expect, it } from "vitest";
import { BossDatabase } from "./boss-database.js";

const COMPLETION = "UPDATE pgboss.job SET completed_on = now(), state = 'completed' WHERE id = ANY($2)";
const FETCH = "WITH next AS (SELECT id FROM pgboss.job WHERE name = $1 LIMIT $2 FOR UPDATE SKIP LOCKED) UPDATE pgboss.job j SET state = 'active'";

describe("BossDatabase after close", () => {
  it("answers pg-boss's unawaited completions with a count of nothing done (an empty answer threw inside pg-boss) and anything else with no rows", async () => {
    let queries = 0;
    const database = new BossDatabase({ query: () => ((queries += 1), Promise.resolve({ rows: [{ id: "job" }] })) } as never, () => undefined);
    await database.close(10);
    expect(await database.executeSql(COMPLETION, ["queue", ["job"]])).toEqual({ rows: [{ count: "0" }] });
    expect(await database.executeSql(FETCH, ["queue", 5])).toEqual({ rows: [] });
    expect(queries).toBe(0);
  });
});
