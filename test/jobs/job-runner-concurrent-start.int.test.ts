import { afterAll, beforeAll, expect, it } from "vitest";
import { JobRunner } from "../../src/jobs/job-runner.js";
import { createLogger } from "../../src/logger.js";
import { STORAGE_BACKENDS, type StorageBackend } from "../storage/storage-backends.js";

const logger = createLogger({ level: process.env.TEST_LOG_LEVEL ?? "silent" });
const postgres = STORAGE_BACKENDS.find((kind) => kind.name === "Postgres");

let backend: StorageBackend;
beforeAll(async () => {
  if (!postgres) throw new Error("no Postgres backend");
  backend = await postgres.open();
});
afterAll(async () => {
  await backend.dispose();
});

/** A runner with the queues and schedules the app defines (several of each), like each instance's. */
function instanceRunner(): JobRunner {
  const runner = new JobRunner({ pool: backend.pool, logger, pollingIntervalSeconds: 0.5, stopTimeoutMs: 2000 });
  for (let index = 0; index < 6; index += 1) {
    runner.define({ queue: `concurrent-${index}`, queueOptions: { retryLimit: 2 }, schedule: index % 2 === 0 ? { cron: "*/5 * * * *" } : undefined, handle: () => Promise.resolve() });
  }
  return runner;
}

it("instances starting at once on a fresh database all start (creating the same queues deadlocked one of them)", async () => {
  for (let trial = 0; trial < 3; trial += 1) {
    const runners = [instanceRunner(), instanceRunner(), instanceRunner()];
    const started = await Promise.allSettled(runners.map((runner) => runner.start()));
    await Promise.all(runners.map((runner) => runner.stop()));
    expect(started.map((outcome) => (outcome.status === "rejected" ? String(outcome.reason) : "started"))).toEqual(["started", "started", "started"]);
    await backend.pool.query("DROP SCHEMA pgboss CASCADE");
  }
});
