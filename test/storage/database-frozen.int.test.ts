import { afterAll, beforeAll, expect, it } from "vitest";
import type { RunningServer } from "../../src/app.js";
import { startFreezingProxy, type FreezingProxy } from "../helpers/freezing-proxy.js";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database.js";
import { startTestServer } from "../helpers/test-server.js";

let database: TestDatabase;
let proxy: FreezingProxy;
let server: RunningServer;
beforeAll(async () => {
  database = await createTestDatabase();
  proxy = await startFreezingProxy(database.url);
  server = await startTestServer({ databaseUrl: proxy.url, env: { DATABASE_CONNECT_TIMEOUT_MS: 1000 } });
});
afterAll(async () => {
  proxy.thaw();
  await server.close();
  await proxy[Symbol.asyncDispose]();
  await database.drop();
});

/** The status a request got within `ms`, with how long it took, or "no answer". */
async function timed(path: string, init: RequestInit, ms: number): Promise<{ status: number | "no answer"; seconds: number }> {
  const started = Date.now();
  const status = await fetch(`${server.url}${path}`, { ...init, signal: AbortSignal.timeout(ms) }).then(
    async (response) => (await response.arrayBuffer(), response.status),
    () => "no answer" as const,
  );
  return { status, seconds: (Date.now() - started) / 1000 };
}

it("a database that stops answering makes /ok say 503 within seconds, and requests fail instead of hanging", { timeout: 60_000 }, async () => {
  expect((await timed("/ok", {}, 5000)).status).toBe(200);
  proxy.freeze();
  for (let check = 0; check < 3; check++) {
    const health = await timed("/ok", {}, 5000);
    expect(health.status).toBe(503);
    expect(health.seconds).toBeLessThan(3.5);
  }
  // More requests than the pool has connections: those that get a new connection (or wait for one) give up after
  // DATABASE_CONNECT_TIMEOUT_MS. A request already sent on a pooled connection waits for the database.
  const search = { method: "POST", headers: { "content-type": "application/json" }, body: "{}" };
  const answers = await Promise.all(Array.from({ length: 14 }, () => timed("/threads/search", search, 8000)));
  const failedFast = answers.filter((answer) => typeof answer.status === "number" && answer.status === 503 && answer.seconds < 4);
  expect(failedFast.length).toBeGreaterThanOrEqual(4);
  proxy.thaw();
  const started = Date.now();
  let status: number | "no answer" = "no answer";
  while (status !== 200 && Date.now() - started < 10_000) status = (await timed("/ok", {}, 5000)).status;
  expect(status).toBe(200);
  expect((await timed("/threads/search", search, 5000)).status).toBe(200);
});
