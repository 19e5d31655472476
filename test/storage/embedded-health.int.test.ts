import { afterAll, beforeAll, expect, it } from "vitest";
import type { RunningServer } from "../../src/app.js";
import { createTempDir } from "../helpers/test-database.js";
import { startTestServer } from "../helpers/test-server.js";

// The embedded database has one connection, which a long statement (an import) holds for seconds: /ok waits for it
// rather than calling the database unreachable after the 2 s a shared Postgres gets (it answered 503 meanwhile).

let directory: { path: string } & AsyncDisposable;
let server: RunningServer;
beforeAll(async () => {
  directory = await createTempDir();
  server = await startTestServer({ dataDir: directory.path });
});
afterAll(async () => {
  await server.close();
  await directory[Symbol.asyncDispose]();
});

it("/ok on the embedded database waits for its busy connection instead of answering 503", { timeout: 60_000 }, async () => {
  const busy = server.services.pool.query("SELECT pg_sleep(3)");
  const started = Date.now();
  const health = await fetch(`${server.url}/ok`);
  expect(health.status).toBe(200);
  expect(Date.now() - started).toBeGreaterThan(2_000);
  await busy;
});
