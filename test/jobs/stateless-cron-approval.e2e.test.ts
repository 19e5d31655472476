import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningServer } from "../../src/app.js";
import { createCronBody } from "../../src/jobs/cron/cron-requests.js";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database.js";
import { startTestServer } from "../helpers/test-server.js";
import { waitFor } from "./wait-for.js";

let database: TestDatabase;
let server: RunningServer;

beforeAll(async () => {
  database = await createTestDatabase();
  // A thread kept for a human is deleted after 0.01 idle minutes: the test's sweep finds it expired at once.
  server = await startTestServer({ databaseUrl: database.url, env: { JOBS_POLL_INTERVAL_SECONDS: 0.5, STATELESS_KEEP_MINUTES: 0.01 } });
});
afterAll(async () => {
  await server.close();
  await database.drop();
});

describe("a stateless cron whose firing stops for an approval", () => {
  it("keeps the thread for the answer, with the STATELESS_KEEP_MINUTES TTL, and the sweep then deletes it", async () => {
    const input = { messages: [{ role: "user", content: '/tool send_email {"to":"a@b.co","subject":"s","body":"b"}' }] };
    const cron = await server.services.crons.create("local", createCronBody.parse({ assistant_id: "chat", schedule: "*/2 * * * * *", input }));
    let run: { run_id: string; thread_id: string } | undefined;
    await waitFor(async () => {
      const { rows } = await server.services.pool.query<{ run_id: string; thread_id: string; status: string }>(
        "SELECT run_id, thread_id, status FROM runs WHERE metadata->>'cron_id' = $1 AND status = 'interrupted' LIMIT 1",
        [cron.cron_id],
      );
      run = rows[0];
      return run !== undefined;
    }, 20_000);
    await server.services.crons.delete("local", cron.cron_id);
    if (!run) throw new Error("no interrupted cron run");

    expect(await server.services.lifecycle.getTtl(run.thread_id)).toEqual({ strategy: "delete", ttl: 0.01 });
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect((await server.services.lifecycle.sweep()).deleted).toBeGreaterThanOrEqual(1);
    const { rows } = await server.services.pool.query("SELECT 1 FROM threads WHERE thread_id = $1", [run.thread_id]);
    expect(rows).toHaveLength(0);
  });
});
