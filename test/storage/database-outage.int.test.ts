import { pino } from "pino";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { RunningServer } from "../../src/app.js";
import { startFreezingProxy, type FreezingProxy } from "../helpers/freezing-proxy.js";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database.js";
import { startTestServer } from "../helpers/test-server.js";
import { TestWsClient } from "../helpers/ws-client.js";

let database: TestDatabase;
let proxy: FreezingProxy;
let server: RunningServer;
const lines: { level: number; msg: string; err?: { message?: string; stack?: string } }[] = [];
beforeAll(async () => {
  database = await createTestDatabase();
  proxy = await startFreezingProxy(database.url);
  const logger = pino({ level: "warn" }, { write: (line: string) => void lines.push(JSON.parse(line) as (typeof lines)[number]) });
  server = await startTestServer({ databaseUrl: proxy.url, env: { DATABASE_CONNECT_TIMEOUT_MS: 1000 }, logger });
});
afterAll(async () => {
  proxy.accept();
  await server.close();
  await proxy[Symbol.asyncDispose]();
  await database.drop();
});

it("while the database is down, HTTP requests and WS commands answer a retryable 503 unavailable, logged as a warning without a stack", { timeout: 60_000 }, async () => {
  await using client = await TestWsClient.connect(server.wsUrl);
  const opened = await client.call<{ thread_id: string }>("thread.open", {});
  proxy.refuse();
  const response = await fetch(`${server.url}/threads/${opened.thread_id}`);
  expect(response.status).toBe(503);
  expect(response.headers.get("retry-after")).toBe("5");
  expect(await response.json()).toMatchObject({ code: "unavailable", message: "The database is not reachable; try again shortly" });
  const frame = await client.callError("thread.get", { thread_id: opened.thread_id });
  expect(frame).toMatchObject({ code: "unavailable", message: "The database is not reachable; try again shortly" });
  const outage = lines.filter((line) => line.msg.includes("the database is not reachable"));
  expect(outage.length).toBeGreaterThanOrEqual(2);
  for (const line of outage) {
    expect(line.level).toBe(40);
    expect(line.err?.message).toBeTruthy();
    expect(line.err?.stack ?? "").toBe("");
  }
  expect(lines.filter((line) => line.level >= 50 && /request failed|command failed/.test(line.msg))).toEqual([]);
  proxy.accept();
  await expect.poll(async () => (await fetch(`${server.url}/threads/${opened.thread_id}`)).status, { timeout: 10_000 }).toBe(200);
});
