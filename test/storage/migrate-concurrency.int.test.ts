import { readdirSync } from "node:fs";
import pg from "pg";
import { expect, it } from "vitest";
import { migrate, MIGRATIONS_DIR } from "../../src/db/migrate.js";
import { createLogger } from "../../src/logger.js";
import { createTestDatabase } from "../helpers/test-database.js";

it("two instances migrating one empty database at once apply each migration exactly once", async () => {
  await using database = await createTestDatabase();
  const logger = createLogger({ level: "silent" });
  const pools = [new pg.Pool({ connectionString: database.url }), new pg.Pool({ connectionString: database.url })];
  try {
    const results = await Promise.all(pools.map((pool) => migrate({ pool, logger })));
    const expected = readdirSync(MIGRATIONS_DIR).filter((file) => file.endsWith(".sql")).sort().map((file) => file.replace(/\.sql$/, ""));
    const applied = results.flatMap((result) => result.applied);
    expect(applied.sort()).toEqual(expected);
    const { rows } = await pools[0]!.query<{ name: string }>("SELECT name FROM threadline_migrations ORDER BY run_on, id");
    expect(rows.map((row) => row.name)).toEqual(expected);
    const tables = await pools[0]!.query<{ table_name: string }>(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_name LIKE 'checkpoint%' ORDER BY 1",
    );
    expect(tables.rows.map((row) => row.table_name)).toEqual(expect.arrayContaining(["checkpoint_blobs", "checkpoint_migrations", "checkpoint_writes", "checkpoints"]));
  } finally {
    await Promise.all(pools.map((pool) => pool.end()));
  }
});
