import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { withTransactionBegun } from "../../src/db/database.js";
import { type StorageBackend, STORAGE_BACKENDS } from "./storage-backends.js";

describe.each(STORAGE_BACKENDS)("a COMMIT pipelined behind a transaction's statements, on $name", (kind) => {
  let backend: StorageBackend;

  beforeAll(async () => {
    backend = await kind.open();
    await backend.pool.query("CREATE TABLE pipelined_commit_probe (id int PRIMARY KEY, note text)");
  });
  afterAll(async () => {
    await backend.dispose();
  });

  const ids = async () => (await backend.pool.query<{ id: number }>("SELECT id FROM pipelined_commit_probe ORDER BY id")).rows.map((row) => row.id);

  it("stores what was sent before it", async () => {
    const result = await withTransactionBegun(backend.pool, async (client, begun, commit) => {
      await begun;
      const inserted = client.query<{ id: number }>("INSERT INTO pipelined_commit_probe (id, note) VALUES ($1, $2) RETURNING id", [1, "kept"]);
      const [{ rows }] = await Promise.all([inserted, commit()]);
      return rows[0]?.id;
    });
    expect(result).toBe(1);
    expect(await ids()).toEqual([1]);
  });

  it("fails, with nothing stored, when a statement before it failed (the database answers it with a rollback)", async () => {
    const attempt = withTransactionBegun(backend.pool, async (client, begun, commit) => {
      await begun;
      const inserted = client.query("INSERT INTO pipelined_commit_probe (id, note) VALUES ($1, $2)", [2, "rolled back"]);
      // A duplicate key: its failure is swallowed here on purpose, so only the COMMIT's answer can tell.
      const failed = client.query("INSERT INTO pipelined_commit_probe (id, note) VALUES ($1, $2)", [1, "duplicate"]).catch(() => "failed");
      await Promise.all([inserted, failed, commit()]);
    });
    await expect(attempt).rejects.toThrow(/rolled back/);
    expect(await ids()).toEqual([1]);
  });

  it("reports the statement's own error when the caller awaits it, and leaves the connection usable", async () => {
    const attempt = withTransactionBegun(backend.pool, async (client, begun, commit) => {
      await begun;
      const inserted = client.query("INSERT INTO pipelined_commit_probe (id, note) VALUES ($1, $2)", [1, "duplicate"]);
      await Promise.all([inserted, commit()]);
    });
    await expect(attempt).rejects.toMatchObject({ code: "23505" });
    await withTransactionBegun(backend.pool, async (client, begun) => {
      await begun;
      await client.query("INSERT INTO pipelined_commit_probe (id, note) VALUES ($1, $2)", [3, "after"]);
    });
    expect(await ids()).toEqual([1, 3]);
  });
});
