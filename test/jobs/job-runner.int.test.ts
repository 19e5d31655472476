import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { withTransaction } from "../../src/db/database.js";
import { JobRunner } from "../../src/jobs/job-runner.js";
import { createLogger } from "../../src/logger.js";
import { STORAGE_BACKENDS, type StorageBackend } from "../storage/storage-backends.js";
import { waitFor } from "./wait-for.js";

const logger = createLogger({ level: process.env.TEST_LOG_LEVEL ?? "silent" });

describe.each(STORAGE_BACKENDS)("job runner on $name", (kind) => {
  let backend: StorageBackend;
  let runner: JobRunner;
  const seen: { queue: string; data: unknown; attempt: number }[] = [];
  let flakyFailuresLeft = 1;

  beforeAll(async () => {
    backend = await kind.open();
    runner = new JobRunner({ pool: backend.pool, logger, pollingIntervalSeconds: 0.5, stopTimeoutMs: 2000 });
    runner.define<{ n: number }>({ queue: "test-echo", handle: (job) => Promise.resolve(void seen.push({ queue: job.queue, data: job.data, attempt: job.attempt })) });
    runner.define<{ n: number }>({
      queue: "test-flaky",
      queueOptions: { retryLimit: 2, retryDelay: 1 },
      handle: (job) => {
        seen.push({ queue: job.queue, data: job.data, attempt: job.attempt });
        return flakyFailuresLeft-- > 0 ? Promise.reject(new Error("first attempt fails")) : Promise.resolve();
      },
    });
    await runner.start();
  });

  afterAll(async () => {
    await runner.stop();
    await backend.dispose();
  });

  it("installs pg-boss on the app's pool and delivers a job", async () => {
    const id = await runner.send("test-echo", { n: 1 });
    expect(id).toBeTruthy();
    await waitFor(() => seen.some((job) => job.queue === "test-echo" && (job.data as { n: number }).n === 1));
  });

  it("enqueues inside the caller's transaction (one connection on the embedded database)", async () => {
    await withTransaction(backend.pool, async (client) => {
      await client.query("SELECT 1");
      await runner.send("test-echo", { n: 2 }, { db: client });
    });
    await waitFor(() => seen.some((job) => (job.data as { n: number }).n === 2));
  });

  it("drops a job whose transaction rolled back", async () => {
    await withTransaction(backend.pool, async (client) => {
      await runner.send("test-echo", { n: 3 }, { db: client });
      throw new Error("roll back");
    }).catch(() => undefined);
    await runner.send("test-echo", { n: 4 });
    await waitFor(() => seen.some((job) => (job.data as { n: number }).n === 4));
    expect(seen.some((job) => (job.data as { n: number }).n === 3)).toBe(false);
  });

  it("a stable id makes a second send a no-op", async () => {
    const id = "6a1f7f0c-1111-4222-8333-444455556666";
    expect(await runner.send("test-echo", { n: 5 }, { id })).toBe(id);
    expect(await runner.send("test-echo", { n: 5 }, { id })).toBeNull();
  });

  it("retries a failed job with its attempt number", async () => {
    await runner.send("test-flaky", { n: 6 });
    await waitFor(() => seen.filter((job) => job.queue === "test-flaky").length >= 2, 10_000);
    expect(seen.filter((job) => job.queue === "test-flaky").map((job) => job.attempt)).toEqual([1, 2]);
  });

  it("holds at most one connection: the embedded pool never needed a second", () => {
    expect(backend.pool.totalCount).toBeLessThanOrEqual(kind.name === "embedded PGlite" ? 1 : 4);
  });
});

describe("job runner shutdown", () => {
  it("stops while a job is in progress, waiting for it, and leaves the pool open", async () => {
    const kind = STORAGE_BACKENDS[0];
    if (!kind) throw new Error("no Postgres backend");
    const backend = await kind.open();
    try {
      const runner = new JobRunner({ pool: backend.pool, logger, pollingIntervalSeconds: 0.5, stopTimeoutMs: 5000 });
      let finished = false;
      let started = false;
      runner.define({
        queue: "test-slow",
        handle: async () => {
          started = true;
          await new Promise((resolve) => setTimeout(resolve, 800));
          finished = true;
        },
      });
      await runner.start();
      await runner.send("test-slow", {});
      await waitFor(() => started);
      await runner.stop();
      expect(finished).toBe(true);
      const { rows } = await backend.pool.query<{ ok: number }>("SELECT 1 AS ok");
      expect(rows[0]?.ok).toBe(1);
    } finally {
      await backend.dispose();
    }
  });
});
