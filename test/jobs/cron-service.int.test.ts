import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CronFiring } from "../../src/jobs/cron/cron-firing.js";
import { createCronBody, searchCronsBody } from "../../src/jobs/cron/cron-requests.js";
import { CronService } from "../../src/jobs/cron/cron-service.js";
import { CronStore } from "../../src/jobs/cron/cron-store.js";
import { JobRunner } from "../../src/jobs/job-runner.js";
import { JOB_QUEUES } from "../../src/jobs/job-queues.js";
import { ThreadTombstones } from "../../src/jobs/lifecycle/thread-tombstones.js";
import { ThreadTtlStore } from "../../src/jobs/lifecycle/thread-ttl-store.js";
import { createLogger } from "../../src/logger.js";
import { SessionStore } from "../../src/sessions/session-store.js";
import { STORAGE_BACKENDS, type StorageBackend } from "../storage/storage-backends.js";
import { fakeAssistants, RecordingRunSubmitter, threadPortOver } from "./cron-fakes.js";
import { waitFor } from "./wait-for.js";

const logger = createLogger({ level: process.env.TEST_LOG_LEVEL ?? "silent" });
const input = { messages: [{ role: "user" as const, content: "Good morning! What's on today?" }] };

describe.each(STORAGE_BACKENDS)("crons on $name", (kind) => {
  let backend: StorageBackend;
  let sessions: SessionStore;
  let runner: JobRunner;
  let runs: RecordingRunSubmitter;
  let clock: { now: Date | undefined };
  let crons: CronService;
  let firing: CronFiring;
  let ttls: ThreadTtlStore;

  const create = (userId: string, body: unknown, threadId?: string) => crons.create(userId, { ...createCronBody.parse(body), thread_id: threadId });
  const jobsFor = async (cronId: string) =>
    (await backend.pool.query<{ data: { scheduled_at: string }; start_after: Date }>("SELECT data, start_after FROM pgboss.job WHERE name = $1 AND data->>'cron_id' = $2 ORDER BY start_after", [JOB_QUEUES.cronFire, cronId])).rows;

  beforeAll(async () => {
    backend = await kind.open();
    sessions = new SessionStore(backend.pool);
    runs = new RecordingRunSubmitter();
    clock = { now: undefined };
    const now = () => clock.now ?? new Date();
    runner = new JobRunner({ pool: backend.pool, logger, pollingIntervalSeconds: 0.5, stopTimeoutMs: 2000 });
    const store = new CronStore(backend.pool);
    const threads = threadPortOver(sessions);
    ttls = new ThreadTtlStore(backend.pool);
    firing = new CronFiring({ pool: backend.pool, store, jobs: runner, threads, tombstones: new ThreadTombstones(backend.pool), runs: () => runs, logger, now, statelessTtl: { ttls, minutes: 90 } });
    crons = new CronService({ pool: backend.pool, store, firing, threads, assistants: fakeAssistants, now });
    for (const definition of firing.definitions()) runner.define(definition);
    await runner.start();
  });
  afterAll(async () => {
    await runner.stop();
    await backend.dispose();
  });

  describe("CRUD in LangGraph's shape, scoped to the user", () => {
    it("creates a thread cron with the thread's assistant and its next run in the given zone", async () => {
      clock.now = new Date("2031-01-15T06:00:00Z");
      const { session } = await sessions.open({ userId: "ann", assistantId: "asst-morning" });
      const cron = await create("ann", { schedule: "0 9 * * *", timezone: "Europe/Paris", input, metadata: { purpose: "digest" } }, session.thread_id);
      expect(cron).toMatchObject({
        thread_id: session.thread_id,
        assistant_id: "asst-morning",
        user_id: "ann",
        schedule: "0 9 * * *",
        timezone: "Europe/Paris",
        next_run_date: "2031-01-15T08:00:00.000Z",
        metadata: { purpose: "digest" },
        payload: { input, assistant_id: "asst-morning" },
        enabled: true,
        end_time: null,
        on_run_completed: null,
      });
      expect(Object.keys(cron).sort()).toEqual(
        ["assistant_id", "created_at", "cron_id", "enabled", "end_time", "metadata", "next_run_date", "on_run_completed", "payload", "schedule", "thread_id", "timezone", "updated_at", "user_id"].sort(),
      );
      // The first firing is queued at its time.
      const jobs = await jobsFor(cron.cron_id);
      expect(jobs.map((job) => job.start_after.toISOString())).toEqual(["2031-01-15T08:00:00.000Z"]);
    });

    it("a stateless cron needs an assistant and deletes its threads by default", async () => {
      clock.now = new Date("2031-01-15T06:00:00Z");
      await expect(create("ann", { schedule: "0 * * * *", input })).rejects.toMatchObject({ code: "invalid_request" });
      await expect(create("ann", { schedule: "0 * * * *", assistant_id: "nope", input })).rejects.toMatchObject({ code: "not_found" });
      const cron = await create("ann", { schedule: "0 * * * *", assistant_id: "chat", input, webhook: "https://example.com/hook" });
      expect(cron).toMatchObject({ thread_id: null, on_run_completed: "delete", payload: { webhook: "https://example.com/hook" }, next_run_date: "2031-01-15T07:00:00.000Z" });
    });

    it("rejects bad schedules, zones and webhooks", async () => {
      await expect(create("ann", { schedule: "every day", assistant_id: "chat" })).rejects.toMatchObject({ code: "invalid_request" });
      await expect(create("ann", { schedule: "0 9 * * *", timezone: "Europe/Atlantis", assistant_id: "chat" })).rejects.toMatchObject({ code: "invalid_request" });
      expect(createCronBody.safeParse({ schedule: "0 9 * * *", webhook: "ftp://example.com" }).success).toBe(false);
    });

    it("another user's thread or cron is not found; search shows only one's own", async () => {
      const { session } = await sessions.open({ userId: "ann", assistantId: "chat" });
      await expect(create("ben", { schedule: "0 9 * * *" }, session.thread_id)).rejects.toMatchObject({ code: "not_found" });
      const cron = await create("ann", { schedule: "0 9 * * *" }, session.thread_id);
      await expect(crons.delete("ben", cron.cron_id)).rejects.toMatchObject({ code: "not_found" });
      await expect(crons.get("ben", cron.cron_id)).rejects.toMatchObject({ code: "not_found" });
      await expect(crons.update("ben", cron.cron_id, { enabled: false })).rejects.toMatchObject({ code: "not_found" });
      expect(await crons.search("ben", searchCronsBody.parse({}))).toEqual([]);
      expect((await crons.search("ann", searchCronsBody.parse({ thread_id: session.thread_id }))).map((found) => found.cron_id)).toEqual([cron.cron_id]);
    });

    it("searches by assistant, thread, enabled and metadata with paging; counts", async () => {
      for (let index = 0; index < 3; index += 1) await create("cat", { schedule: `${index} 9 * * *`, assistant_id: "asst-a", metadata: { n: index } });
      await create("cat", { schedule: "0 10 * * *", assistant_id: "asst-b", enabled: false });
      expect(await crons.search("cat", searchCronsBody.parse({ assistant_id: "asst-a" }))).toHaveLength(3);
      expect(await crons.search("cat", searchCronsBody.parse({ enabled: false }))).toMatchObject([{ assistant_id: "asst-b" }]);
      expect(await crons.search("cat", searchCronsBody.parse({ metadata: { n: 1 } }))).toMatchObject([{ schedule: "1 9 * * *" }]);
      const page = await crons.search("cat", searchCronsBody.parse({ limit: 2, offset: 1, sort_by: "created_at", sort_order: "asc" }));
      expect(page.map((cron) => cron.schedule)).toEqual(["1 9 * * *", "2 9 * * *"]);
      expect(await crons.count("cat", { assistant_id: "asst-a" })).toBe(3);
    });

    it("updates the schedule (re-queuing the next firing) and deletes", async () => {
      clock.now = new Date("2031-02-01T00:00:00Z");
      const cron = await create("dan", { schedule: "0 9 * * *", assistant_id: "chat" });
      const updated = await crons.update("dan", cron.cron_id, { schedule: "30 7 * * *", timezone: "America/New_York", webhook: "https://example.com/x" });
      expect(updated).toMatchObject({ schedule: "30 7 * * *", timezone: "America/New_York", next_run_date: "2031-02-01T12:30:00.000Z", payload: { webhook: "https://example.com/x" } });
      const cleared = await crons.update("dan", cron.cron_id, { webhook: null });
      expect(cleared.payload.webhook).toBeUndefined();
      // What the cron is and whose is fixed: another assistant or user is refused (its firings would not follow),
      // the same values pass, and none of them is stored in the payload.
      for (const other of [{ assistant_id: "someone-elses" }, { user_id: "alice" }, { thread_id: "00000000-0000-4000-8000-000000000000" }]) {
        await expect(crons.update("dan", cron.cron_id, other as never)).rejects.toMatchObject({ code: "invalid_request" });
      }
      const same = await crons.update("dan", cron.cron_id, { assistant_id: "chat", user_id: "dan", enabled: false });
      expect(same).toMatchObject({ assistant_id: "chat", user_id: "dan", enabled: false });
      expect(Object.keys(same.payload)).not.toContain("user_id");
      await crons.delete("dan", cron.cron_id);
      await expect(crons.get("dan", cron.cron_id)).rejects.toMatchObject({ code: "not_found" });
    });

    it("deleting the thread deletes its crons", async () => {
      const { session } = await sessions.open({ userId: "eve", assistantId: "chat" });
      const cron = await create("eve", { schedule: "0 9 * * *" }, session.thread_id);
      await sessions.delete("eve", session.thread_id);
      await expect(crons.get("eve", cron.cron_id)).rejects.toMatchObject({ code: "not_found" });
    });
  });

  describe("firing (fake clock)", () => {
    it("fires at the scheduled time in its zone, once, then moves to the next day", async () => {
      clock.now = new Date("2031-03-03T07:59:00Z");
      const { session } = await sessions.open({ userId: "fay", assistantId: "chat" });
      const cron = await create("fay", { schedule: "0 9 * * *", timezone: "Europe/Paris", input, multitask_strategy: "enqueue", webhook: "https://example.com/h" }, session.thread_id);
      expect(cron.next_run_date).toBe("2031-03-03T08:00:00.000Z");
      clock.now = new Date("2031-03-03T08:00:00.300Z");
      const job = { id: "j", queue: JOB_QUEUES.cronFire, attempt: 1, retryLimit: 3, data: { cron_id: cron.cron_id, scheduled_at: "2031-03-03T08:00:00.000Z" } };
      await firing.fire(job);
      const submitted = runs.calls.filter((call) => call.request.metadata?.cron_id === cron.cron_id);
      expect(submitted).toHaveLength(1);
      expect(submitted[0]).toMatchObject({
        userId: "fay",
        request: {
          thread_id: session.thread_id,
          input,
          multitask_strategy: "enqueue",
          webhook: "https://example.com/h",
          client_message_id: `cron:${cron.cron_id}:2031-03-03T08:00:00.000Z`,
          metadata: { cron_id: cron.cron_id, cron_scheduled_at: "2031-03-03T08:00:00.000Z" },
        },
      });
      expect((await crons.get("fay", cron.cron_id)).next_run_date).toBe("2031-03-04T08:00:00.000Z");
      expect((await jobsFor(cron.cron_id)).map((queued) => queued.data.scheduled_at)).toEqual(["2031-03-03T08:00:00.000Z", "2031-03-04T08:00:00.000Z"]);

      // A retry of the same firing submits idempotently; a stale duplicate does nothing.
      await firing.fire({ ...job, attempt: 2 });
      await firing.fire({ ...job, data: { ...job.data, scheduled_at: "2031-03-02T08:00:00.000Z" } });
      expect(runs.runs.filter((call) => call.request.metadata?.cron_id === cron.cron_id)).toHaveLength(1);
    });

    it("after the clocks change, the same local time is a different UTC time", async () => {
      clock.now = new Date("2031-03-29T12:00:00Z");
      const cron = await create("fay", { schedule: "0 9 * * *", timezone: "Europe/Paris", assistant_id: "chat" });
      // 2031-03-30 is the first day of summer time in Paris (+02:00).
      expect(cron.next_run_date).toBe("2031-03-30T07:00:00.000Z");
    });

    it("missed firings collapse into one and the next is in the future", async () => {
      clock.now = new Date("2031-04-01T00:00:00Z");
      const cron = await create("gus", { schedule: "*/5 * * * *", assistant_id: "chat", input });
      clock.now = new Date("2031-04-01T03:02:00Z");
      await firing.fire({ id: "j", queue: JOB_QUEUES.cronFire, attempt: 1, retryLimit: 3, data: { cron_id: cron.cron_id, scheduled_at: "2031-04-01T00:05:00.000Z" } });
      expect(runs.runs.filter((call) => call.request.metadata?.cron_id === cron.cron_id)).toHaveLength(1);
      expect((await crons.get("gus", cron.cron_id)).next_run_date).toBe("2031-04-01T03:05:00.000Z");
    });

    it("a stateless firing runs on a new thread whose id is stable across retries", async () => {
      clock.now = new Date("2031-05-01T00:00:00Z");
      const cron = await create("hal", { schedule: "0 * * * *", assistant_id: "asst-news", input, on_run_completed: "keep" });
      const job = { id: "j", queue: JOB_QUEUES.cronFire, attempt: 1, retryLimit: 3, data: { cron_id: cron.cron_id, scheduled_at: "2031-05-01T01:00:00.000Z" } };
      clock.now = new Date("2031-05-01T01:00:00Z");
      runs.failNext = new Error("database hiccup");
      await expect(firing.fire(job)).rejects.toThrow("database hiccup");
      await firing.fire({ ...job, attempt: 2 });
      const submitted = runs.calls.filter((call) => call.request.metadata?.cron_id === cron.cron_id);
      expect(submitted).toHaveLength(1);
      const threadId = submitted[0]?.request.thread_id ?? "";
      expect(await sessions.get("hal", threadId)).toMatchObject({ assistant_id: "asst-news", metadata: { cron_id: cron.cron_id } });
      expect(submitted[0]?.request.metadata).toMatchObject({ on_run_completed: "keep" });
      // Kept on purpose: no TTL of its own.
      expect(await ttls.get(threadId)).toBeNull();
    });

    it("a stateless firing whose cron deletes its threads gives the thread the STATELESS_KEEP_MINUTES TTL", async () => {
      clock.now = new Date("2031-05-02T00:00:00Z");
      const cron = await create("hal", { schedule: "0 * * * *", assistant_id: "asst-news", input });
      clock.now = new Date("2031-05-02T01:00:00Z");
      await firing.fire({ id: "j", queue: JOB_QUEUES.cronFire, attempt: 1, retryLimit: 3, data: { cron_id: cron.cron_id, scheduled_at: "2031-05-02T01:00:00.000Z" } });
      const threadId = runs.calls.find((call) => call.request.metadata?.cron_id === cron.cron_id)?.request.thread_id ?? "";
      expect(await ttls.get(threadId)).toEqual({ strategy: "delete", ttl: 90 });
    });

    it("a busy thread with the reject strategy skips the firing instead of retrying", async () => {
      clock.now = new Date("2031-06-01T00:00:00Z");
      const cron = await create("ida", { schedule: "0 * * * *", assistant_id: "chat", input, multitask_strategy: "reject" });
      clock.now = new Date("2031-06-01T01:00:00Z");
      const { AppError } = await import("../../src/errors/app-error.js");
      runs.failNext = new AppError("thread_busy", "busy");
      await firing.fire({ id: "j", queue: JOB_QUEUES.cronFire, attempt: 1, retryLimit: 3, data: { cron_id: cron.cron_id, scheduled_at: "2031-06-01T01:00:00.000Z" } });
      expect((await crons.get("ida", cron.cron_id)).next_run_date).toBe("2031-06-01T02:00:00.000Z");
    });

    it("the minute tick queues firings due soon, once", async () => {
      clock.now = new Date("2031-07-01T09:58:30Z");
      const cron = await create("jo", { schedule: "0 10 * * *", assistant_id: "chat" });
      await backend.pool.query("DELETE FROM pgboss.job WHERE name = $1 AND data->>'cron_id' = $2", [JOB_QUEUES.cronFire, cron.cron_id]);
      expect(await firing.tick()).toBeGreaterThanOrEqual(1);
      await firing.tick();
      expect((await jobsFor(cron.cron_id)).map((job) => job.start_after.toISOString())).toEqual(["2031-07-01T10:00:00.000Z"]);
    });
  });

  describe("firing (real clock, through pg-boss)", () => {
    it("a per-second schedule fires on time, chains itself, and stops when deleted", async () => {
      clock.now = undefined;
      const cron = await create("kim", { schedule: "*/2 * * * * *", assistant_id: "chat", input });
      const mine = () => runs.runs.filter((call) => call.request.metadata?.cron_id === cron.cron_id);
      await waitFor(() => mine().length >= 3, 15_000);
      await crons.delete("kim", cron.cron_id);
      for (const call of mine()) {
        const scheduled = Date.parse(String(call.request.metadata?.cron_scheduled_at));
        expect(new Date(scheduled).getUTCSeconds() % 2).toBe(0);
        // Polling every 0.5 s: a firing starts at its time, give or take the poll and the machine.
        expect(call.at - scheduled).toBeGreaterThanOrEqual(-50);
        expect(call.at - scheduled).toBeLessThan(2500);
      }
      const count = mine().length;
      await new Promise((resolve) => setTimeout(resolve, 3000));
      expect(mine().length).toBeLessThanOrEqual(count + 1);
    });
  });
});
