import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import pg from "pg";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database.js";
import { startTestServer } from "../helpers/test-server.js";

const BIN = path.resolve(import.meta.dirname, "../../bin/threadline.js");
const run = promisify(execFile);

let database: TestDatabase;
let url: string;
beforeAll(async () => {
  database = await createTestDatabase();
  const admin = new pg.Client({ connectionString: database.url });
  await admin.connect();
  await admin.query("CREATE SCHEMA tl");
  await admin.end();
  // The connection string an operator writes to keep an app's tables in a schema of its own.
  url = `${database.url}?options=${encodeURIComponent("-c search_path=tl")}`;
});
afterAll(async () => {
  await database.drop();
});

const refusal = /creates tables in schema "tl" \(search_path = tl\), but Threadline keeps its tables in "public": remove search_path from DATABASE_URL/;

it("`threadline migrate` refuses a DATABASE_URL whose search_path puts tables outside public, and creates nothing", { timeout: 120_000 }, async () => {
  const result = await run(process.execPath, [BIN, "migrate"], { env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", MODEL: "fake", DATABASE_URL: url }, timeout: 90_000 }).then(
    () => ({ code: 0, stderr: "" }),
    (error: unknown) => error as { code: number; stderr: string },
  );
  expect(result.code).toBe(1);
  expect(result.stderr).toMatch(refusal);
  const admin = new pg.Client({ connectionString: database.url });
  await admin.connect();
  const { rows } = await admin.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_tables WHERE schemaname IN ('tl', 'public')");
  await admin.end();
  expect(rows[0]?.n).toBe(0);
});

it("serve refuses it too, before listening", { timeout: 60_000 }, async () => {
  await expect(startTestServer({ databaseUrl: url })).rejects.toThrow(refusal);
});
