import { Writable } from "node:stream";
import pg from "pg";
import { pino } from "pino";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createPool } from "../../src/db/database.js";
import { waitFor } from "../jobs/wait-for.js";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database.js";

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.drop();
});

it("logs an idle connection's failure as its message and code, without the client (statement texts, the backend's cancel key)", async () => {
  const lines: string[] = [];
  const sink = new Writable({ write: (chunk: Buffer, _encoding, done) => void (lines.push(chunk.toString()), done()) });
  const pool = createPool({ connectionString: database.url, max: 2, logger: pino({ level: "info" }, sink), prepared: true, pipeline: true });
  try {
    const client = await pool.connect();
    const { rows } = await client.query<{ pid: number }>("SELECT pg_backend_pid() AS pid, $1::int AS statement_text_marker", [1]);
    client.release();
    const admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
    await admin.query("SELECT pg_terminate_backend($1)", [rows[0]?.pid]);
    await admin.end();
    await waitFor(() => lines.some((line) => line.includes("idle database client failed")), 5000);
    const line = lines.find((candidate) => candidate.includes("idle database client failed")) ?? "";
    expect(JSON.parse(line)).toMatchObject({ level: 40, err: { message: "terminating connection due to administrator command", code: "57P01" } });
    expect(line).not.toContain("statement_text_marker");
    expect(line).not.toContain("secretKey");
  } finally {
    await pool.end();
  }
});
