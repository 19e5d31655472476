import { randomUUID } from "node:crypto";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { JobRunner } from "../../src/jobs/job-runner.js";
import type { FinishedRun } from "../../src/jobs/webhooks/webhook-payload.js";
import { WebhookService } from "../../src/jobs/webhooks/webhook-service.js";
import { verifyWebhookSignature } from "../../src/jobs/webhooks/webhook-signature.js";
import { createLogger } from "../../src/logger.js";
import { STORAGE_BACKENDS, type StorageBackend } from "../storage/storage-backends.js";
import { startWebhookReceiver } from "./webhook-receiver.js";
import { waitFor } from "./wait-for.js";

const logger = createLogger({ level: process.env.TEST_LOG_LEVEL ?? "silent" });
const secret = "test-webhook-secret-0123456789";
/** The receivers listen on 127.0.0.1: allowed by name, as an operator would; every other non-public address is refused. */
const RECEIVER_ONLY = { allowPrivate: false, allowHosts: ["127.0.0.1"] };

function finishedRun(overrides: Partial<FinishedRun>): FinishedRun {
  const now = new Date().toISOString();
  return {
    run_id: randomUUID(),
    thread_id: randomUUID(),
    user_id: "ann",
    assistant_id: "chat",
    status: "success",
    created_at: now,
    finished_at: now,
    metadata: { source: "test" },
    multitask_strategy: "enqueue",
    webhook: null,
    error: null,
    ...overrides,
  };
}

// Delivery is database-agnostic; pg-boss on PGlite is covered by job-runner and the embedded e2e test.
describe.each(STORAGE_BACKENDS.filter((backend) => backend.name === "Postgres"))("webhooks on $name", (kind) => {
  let backend: StorageBackend;
  let runner: JobRunner;
  let webhooks: WebhookService;
  const values = { messages: [{ type: "ai", content: "Done." }] };

  const attempts = async (runId: string) =>
    (await backend.pool.query<{ attempt: number; status_code: number | null; outcome: string; url: string }>("SELECT attempt, status_code, outcome, url FROM webhook_attempts WHERE run_id = $1 ORDER BY attempt_id", [runId])).rows;

  beforeAll(async () => {
    backend = await kind.open();
    runner = new JobRunner({ pool: backend.pool, logger, pollingIntervalSeconds: 0.5, stopTimeoutMs: 2000 });
    webhooks = new WebhookService({ pool: backend.pool, jobs: runner, logger, threadState: { get: () => Promise.resolve({ values }) }, secret, maxAttempts: 3, retryDelaySeconds: 1, timeoutMs: 2000, outbound: RECEIVER_ONLY });
    runner.define(webhooks.definition());
    await runner.start();
  });
  afterAll(async () => {
    await runner.stop();
    await backend.dispose();
  });

  it("posts the run with its values, signed, and retries after a 500", async () => {
    const receiver = await startWebhookReceiver([500, 200]);
    try {
      const run = finishedRun({ webhook: receiver.url });
      await webhooks.enqueue(run);
      await waitFor(() => receiver.received.length >= 2, 15_000);
      for (const request of receiver.received) {
        const timestamp = String(request.headers["x-threadline-timestamp"]);
        const signature = String(request.headers["x-threadline-signature"]);
        expect(signature).toMatch(/^sha256=[0-9a-f]{64}$/);
        expect(verifyWebhookSignature({ secret, body: request.body, timestamp, signature })).toBe(true);
        expect(verifyWebhookSignature({ secret: "wrong-secret-wrong-secret", body: request.body, timestamp, signature })).toBe(false);
      }
      const [first, second] = receiver.received;
      expect(second!.at - first!.at).toBeGreaterThanOrEqual(900);
      expect(first!.headers["x-threadline-attempt"]).toBe("1");
      expect(second!.headers["x-threadline-attempt"]).toBe("2");
      expect(second!.headers["x-threadline-delivery"]).toBe(first!.headers["x-threadline-delivery"]);
      const payload = JSON.parse(second!.body) as Record<string, unknown>;
      expect(payload).toMatchObject({ run_id: run.run_id, thread_id: run.thread_id, assistant_id: "chat", status: "success", values, metadata: { source: "test" }, multitask_strategy: "enqueue" });
      expect(typeof payload.webhook_sent_at).toBe("string");
      expect(payload.error).toBeUndefined();
      await waitFor(async () => (await attempts(run.run_id)).length >= 2);
      expect(await attempts(run.run_id)).toMatchObject([
        { attempt: 1, status_code: 500, outcome: "retrying" },
        { attempt: 2, status_code: 200, outcome: "delivered" },
      ]);
      // The query string (often a token) is not stored.
      expect((await attempts(run.run_id))[0]?.url).not.toContain("abc");
    } finally {
      await receiver.close();
    }
  });

  it("without WEBHOOK_SECRET, warns once, at the first unsigned delivery (not when the services are built)", async () => {
    const lines: string[] = [];
    const capture = pino({ level: "warn" }, { write: (line: string) => void lines.push(line) });
    const unsigned = new WebhookService({ pool: backend.pool, jobs: runner, logger: capture, threadState: { get: () => Promise.resolve({ values }) }, secret: undefined, outbound: RECEIVER_ONLY });
    expect(lines.join("")).not.toContain("WEBHOOK_SECRET");
    const receiver = await startWebhookReceiver([200, 200]);
    try {
      const definition = unsigned.definition();
      for (const id of [randomUUID(), randomUUID()]) {
        const run = finishedRun({ webhook: receiver.url });
        await definition.handle({ id, queue: "webhook", attempt: 1, retryLimit: 0, data: { run_id: run.run_id, thread_id: run.thread_id, url: receiver.url, payload: { run_id: run.run_id } as never } });
      }
      expect(receiver.received).toHaveLength(2);
      expect(receiver.received[0]?.headers["x-threadline-signature"]).toBeUndefined();
      expect(lines.filter((line) => line.includes("WEBHOOK_SECRET is unset"))).toHaveLength(1);
    } finally {
      await receiver.close();
    }
  });

  it("gives up after the configured attempts", async () => {
    const receiver = await startWebhookReceiver([503]);
    try {
      const run = finishedRun({ webhook: receiver.url, status: "error", error: { code: "model_error", message: "The model failed" } });
      await webhooks.enqueue(run);
      await waitFor(async () => (await attempts(run.run_id)).length >= 3, 20_000);
      expect((await attempts(run.run_id)).map((row) => row.outcome)).toEqual(["retrying", "retrying", "gave_up"]);
      const payload = JSON.parse(receiver.received[0]!.body) as Record<string, unknown>;
      expect(payload).toMatchObject({ status: "error", error: "The model failed", error_code: "model_error" });
      expect(payload.values).toBeUndefined();
      await new Promise((resolve) => setTimeout(resolve, 1500));
      expect(receiver.received).toHaveLength(3);
    } finally {
      await receiver.close();
    }
  });

  it("does not retry an answer that will not change (4xx), nor enqueue twice for one outcome", async () => {
    const receiver = await startWebhookReceiver([410]);
    try {
      const run = finishedRun({ webhook: receiver.url });
      const id = await webhooks.enqueue(run);
      expect(id).toBeTruthy();
      expect(await webhooks.enqueue(run)).toBeNull();
      await waitFor(async () => (await attempts(run.run_id)).length >= 1);
      await new Promise((resolve) => setTimeout(resolve, 1500));
      expect(await attempts(run.run_id)).toMatchObject([{ attempt: 1, status_code: 410, outcome: "gave_up" }]);
    } finally {
      await receiver.close();
    }
  });

  it("treats an unreachable receiver as retryable, and skips runs without a webhook", async () => {
    expect(await webhooks.enqueue(finishedRun({}))).toBeNull();
    const run = finishedRun({ webhook: "http://127.0.0.1:2/unreachable" });
    await webhooks.enqueue(run);
    await waitFor(async () => (await attempts(run.run_id)).length >= 1);
    expect((await attempts(run.run_id))[0]).toMatchObject({ attempt: 1, status_code: null, outcome: "retrying" });
  });

  it("refuses a non-public destination outside the allow-list at once: recorded, given up, never retried", async () => {
    const metadata = finishedRun({ webhook: "http://169.254.169.254/latest/meta-data?token=1" });
    const uniqueLocal = finishedRun({ webhook: "http://[fd00::1]:8080/hook" });
    await webhooks.enqueue(metadata);
    await webhooks.enqueue(uniqueLocal);
    for (const run of [metadata, uniqueLocal]) await waitFor(async () => (await attempts(run.run_id)).length >= 1);
    const errors = async (runId: string) => (await backend.pool.query<{ error: string }>("SELECT error FROM webhook_attempts WHERE run_id = $1", [runId])).rows;
    expect(await attempts(metadata.run_id)).toMatchObject([{ attempt: 1, status_code: null, outcome: "gave_up" }]);
    expect((await errors(metadata.run_id))[0]?.error).toMatch(/169\.254\.169\.254 is a linkLocal address.*OUTBOUND_ALLOW_PRIVATE=true.*OUTBOUND_ALLOW_HOSTS/);
    expect(await attempts(uniqueLocal.run_id)).toMatchObject([{ attempt: 1, outcome: "gave_up" }]);
    expect((await errors(uniqueLocal.run_id))[0]?.error).toContain("uniqueLocal");
  });
});
