import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_PREPARED_PER_CONNECTION } from "../../src/db/prepared-statements.js";
import { type StorageBackend, STORAGE_BACKENDS } from "./storage-backends.js";

/** The statements prepared on the session `client` runs on. */
async function preparedOn(client: { query: StorageBackend["pool"]["query"] }): Promise<{ name: string; statement: string }[]> {
  const { rows } = await client.query<{ name: string; statement: string }>("SELECT name, statement FROM pg_prepared_statements ORDER BY name");
  return rows;
}

describe.each(STORAGE_BACKENDS)("prepared statements on $name", (kind) => {
  let backend: StorageBackend;
  // Texts are per backend: a stale plan marks its text process-wide.
  const tag = randomBytes(4).toString("hex");

  beforeAll(async () => {
    backend = await kind.open();
  });
  afterAll(async () => {
    await backend.dispose();
  });

  it("prepares a parameterised statement once per connection and runs it with each call's values", async () => {
    const client = await backend.pool.connect();
    try {
      const text = `SELECT $1::int * 2 AS doubled -- ${tag} once`;
      const results = [];
      for (const value of [1, 2, 3]) results.push((await client.query<{ doubled: number }>(text, [value])).rows[0]?.doubled);
      expect(results).toEqual([2, 4, 6]);
      const mine = (await preparedOn(client)).filter((row) => row.statement === text);
      expect(mine).toHaveLength(1);
      expect(mine[0]?.name).toMatch(/^tl_/);
    } finally {
      client.release();
    }
  });

  it("leaves statements without parameters unprepared", async () => {
    const client = await backend.pool.connect();
    try {
      const text = `SELECT 1 AS one -- ${tag} plain`;
      await client.query(text);
      await client.query(text, []);
      expect((await preparedOn(client)).filter((row) => row.statement === text)).toEqual([]);
    } finally {
      client.release();
    }
  });

  it("answers the callback form pool.query(text, values, callback)", async () => {
    const doubled = await new Promise<number | undefined>((resolve, reject) => {
      void backend.pool.query<{ doubled: number }>(`SELECT $1::int * 2 AS doubled -- ${tag} callback`, [21], (error, result) => (error ? reject(error) : resolve(result.rows[0]?.doubled)));
    });
    expect(doubled).toBe(42);
  });

  it("passes an error through and keeps the connection usable", async () => {
    const client = await backend.pool.connect();
    try {
      await expect(client.query(`SELECT $1::int / 0 AS broken -- ${tag} error`, [1])).rejects.toMatchObject({ code: "22012" });
      expect((await client.query<{ n: number }>(`SELECT $1::int AS n -- ${tag} after error`, [7])).rows).toEqual([{ n: 7 }]);
    } finally {
      client.release();
    }
  });

  it(`prepares at most ${MAX_PREPARED_PER_CONNECTION} statements per connection; further texts still run, unnamed`, async () => {
    const client = await backend.pool.connect();
    try {
      const count = MAX_PREPARED_PER_CONNECTION + 20;
      for (let index = 0; index < count; index += 1) {
        const { rows } = await client.query<{ n: number }>(`SELECT $1::int + ${index} AS n -- ${tag} cap`, [1]);
        expect(rows[0]?.n).toBe(1 + index);
      }
      expect((await preparedOn(client)).length).toBeLessThanOrEqual(MAX_PREPARED_PER_CONNECTION);
    } finally {
      // A fresh connection for the other tests: this one is full.
      client.release(true);
    }
  });

  it("recovers from a statement whose columns a migration changed: one refusal, then it runs unprepared", async () => {
    const table = `prepared_${tag}`;
    // One connection throughout: the embedded pool has only one.
    const client = await backend.pool.connect();
    try {
      await client.query(`CREATE TABLE ${table} (id int PRIMARY KEY, body text)`);
      await client.query(`INSERT INTO ${table} VALUES (1, 'one')`);
      const text = `SELECT * FROM ${table} WHERE id = $1`;
      expect((await client.query(text, [1])).rows).toEqual([{ id: 1, body: "one" }]);
      // A migration (here on the same session) adds a column while this connection holds the prepared plan.
      await client.query(`ALTER TABLE ${table} ADD COLUMN extra text DEFAULT 'x'`);
      await expect(client.query(text, [1])).rejects.toMatchObject({ code: "0A000" });
      expect((await client.query(text, [1])).rows).toEqual([{ id: 1, body: "one", extra: "x" }]);
    } finally {
      client.release();
    }
  });

  it("a replacement connection prepares again (PGlite keeps one session across connections)", async () => {
    const text = `SELECT $1::text AS echoed -- ${tag} reconnect`;
    const first = await backend.pool.connect();
    expect((await first.query(text, ["a"])).rows).toEqual([{ echoed: "a" }]);
    first.release(true);
    const second = await backend.pool.connect();
    try {
      expect((await second.query(text, ["b"])).rows).toEqual([{ echoed: "b" }]);
    } finally {
      second.release();
    }
  });

  it("DATABASE_PREPARED_STATEMENTS=false: nothing is prepared", async () => {
    const unprepared = await kind.open({ preparedStatements: false });
    try {
      const client = await unprepared.pool.connect();
      try {
        const text = `SELECT $1::int AS n -- ${tag} off`;
        expect((await client.query(text, [5])).rows).toEqual([{ n: 5 }]);
        expect((await preparedOn(client)).filter((row) => row.statement === text)).toEqual([]);
      } finally {
        client.release();
      }
    } finally {
      await unprepared.dispose();
    }
  });
});
