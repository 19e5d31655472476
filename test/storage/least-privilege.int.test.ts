import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import path from "node:path";
import { promisify } from "node:util";
import pg from "pg";
import { afterAll, beforeAll, expect, it } from "vitest";
import { ADMIN_URL, createTestDatabase, type TestDatabase } from "../helpers/test-database.js";
import { startTestServer } from "../helpers/test-server.js";

const BIN = path.resolve(import.meta.dirname, "../../bin/threadline.js");
const run = promisify(execFile);
const role = `tl_app_${randomBytes(4).toString("hex")}`;

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.drop();
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`DROP ROLE IF EXISTS ${role}`);
  await admin.end();
});

/** Run SQL on the test database as its owner. */
async function asOwner(sql: string): Promise<void> {
  const owner = new pg.Client({ connectionString: database.url });
  await owner.connect();
  try {
    await owner.query(sql);
  } finally {
    await owner.end();
  }
}

it("after the owner ran `threadline migrate`, a role with DML and USAGE only can serve: a turn is answered", { timeout: 180_000 }, async () => {
  await run(process.execPath, [BIN, "migrate"], { env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", MODEL: "fake", DATABASE_URL: database.url }, timeout: 90_000 });
  const { rows } = await (async () => {
    const owner = new pg.Client({ connectionString: database.url });
    await owner.connect();
    try {
      return await owner.query<{ nspname: string }>("SELECT nspname FROM pg_namespace WHERE nspname NOT LIKE 'pg\\_%' AND nspname <> 'information_schema'");
    } finally {
      await owner.end();
    }
  })();
  const schemas = rows.map((row) => `"${row.nspname}"`).join(", ");
  await asOwner(`
    CREATE ROLE ${role} LOGIN;
    REVOKE CREATE ON DATABASE ${database.name} FROM PUBLIC;
    REVOKE CREATE ON SCHEMA public FROM PUBLIC;
    GRANT CONNECT, TEMPORARY ON DATABASE ${database.name} TO ${role};
    GRANT USAGE ON SCHEMA ${schemas} TO ${role};
    GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA ${schemas} TO ${role};
    GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA ${schemas} TO ${role};
  `);
  const url = new URL(database.url);
  url.username = role;
  const server = await startTestServer({ databaseUrl: url.toString() });
  try {
    const thread = (await (await fetch(`${server.url}/threads`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" })).json()) as { thread_id: string };
    const answer = await fetch(`${server.url}/threads/${thread.thread_id}/runs/wait`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ assistant_id: "chat", input: { messages: [{ role: "user", content: "hello" }] } }),
    });
    expect(answer.status).toBe(200);
    const values = (await answer.json()) as { messages?: unknown[]; __error__?: unknown };
    expect(values.__error__).toBeUndefined();
    expect(values.messages).toHaveLength(2);
  } finally {
    await server.close();
  }
});
