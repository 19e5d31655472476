import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database.js";
import { startTestServer } from "../helpers/test-server.js";

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.drop();
});

it("HOST=[::1] (bracketed, as in URLs) listens on the IPv6 loopback", { timeout: 60_000 }, async () => {
  await using server = await startTestServer({ databaseUrl: database.url, env: { HOST: "[::1]" } });
  expect(server.url).toMatch(/^http:\/\/\[::1\]:\d+$/);
  expect((await fetch(`${server.url}/ok`)).status).toBe(200);
});

it("a port that is taken stops start-up with an error naming HOST and PORT", { timeout: 60_000 }, async () => {
  const taken = createServer();
  await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
  const port = (taken.address() as AddressInfo).port;
  try {
    await expect(startTestServer({ databaseUrl: database.url, env: { PORT: port } })).rejects.toThrow(`cannot listen on HOST=127.0.0.1 PORT=${port} (or --host, --port): listen EADDRINUSE`);
  } finally {
    await new Promise((resolve) => taken.close(resolve));
  }
});
