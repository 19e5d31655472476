import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ThreadlineSaver } from "../../src/checkpoint/threadline-saver.js";
import { EventLog } from "../../src/events/event-log.js";
import { CheckpointRetention } from "../../src/checkpoint/checkpoint-retention.js";
import { SessionLifecycleService, sweepCron } from "../../src/jobs/lifecycle/session-lifecycle-service.js";
import { ThreadTombstones } from "../../src/jobs/lifecycle/thread-tombstones.js";
import { threadTtlSchema } from "../../src/jobs/lifecycle/thread-ttl.js";
import { ThreadTtlStore } from "../../src/jobs/lifecycle/thread-ttl-store.js";
import { createLogger } from "../../src/logger.js";
import { SessionStore } from "../../src/sessions/session-store.js";
import { STORAGE_BACKENDS, type StorageBackend } from "../storage/storage-backends.js";
import { checkpointCounts, tinyGraph } from "./tiny-graph.js";

const logger = createLogger({ level: process.env.TEST_LOG_LEVEL ?? "silent" });
const HOUR = 3_600_000;

describe.each(STORAGE_BACKENDS)("session lifecycle on $name", (kind) => {
  let backend: StorageBackend;
  let sessions: SessionStore;
  let saver: ThreadlineSaver;
  let tombstones: ThreadTombstones;
  let clock: Date;
  let lifecycle: SessionLifecycleService;
  let pruner: CheckpointRetention;

  /** A session with `turns` invocations of the tiny graph checkpointed. */
  async function threadWithHistory(userId: string, turns = 1): Promise<string> {
    const { session } = await sessions.open({ userId, assistantId: "chat" });
    const graph = tinyGraph(saver);
    for (let turn = 0; turn < turns; turn += 1) await graph.invoke({ items: [`t${turn}`] }, { configurable: { thread_id: session.thread_id } });
    return session.thread_id;
  }

  async function threadExists(threadId: string): Promise<boolean> {
    return (await backend.pool.query("SELECT 1 FROM threads WHERE thread_id = $1", [threadId])).rows.length > 0;
  }

  beforeAll(async () => {
    backend = await kind.open();
    sessions = new SessionStore(backend.pool);
    tombstones = new ThreadTombstones(backend.pool);
    saver = new ThreadlineSaver(backend.pool, { tombstones });
    pruner = new CheckpointRetention(backend.pool);
    clock = new Date();
    lifecycle = new SessionLifecycleService({
      pool: backend.pool,
      ttls: new ThreadTtlStore(backend.pool),
      pruner,
      tombstones,
      // What SessionService.delete does: the row (runs, transcript, events cascade), then the checkpoints.
      threads: { delete: async (userId, threadId) => (await sessions.delete(userId, threadId), await saver.deleteThread(threadId)) },
      logger,
      defaultTtl: null,
      now: () => clock,
    });
  });
  afterAll(async () => backend.dispose());

  describe("keep_latest", () => {
    it("keeps the latest checkpoint with its blobs and writes, deletes the rest, and the thread carries on", async () => {
      const threadId = await threadWithHistory("ann", 3);
      const config = { configurable: { thread_id: threadId } };
      const graph = tinyGraph(saver);
      const before = await graph.getState(config);
      const counts = await checkpointCounts(backend.pool, threadId);
      expect(counts.checkpoints).toBe(12);
      const removed = await pruner.keepLatest(threadId);
      expect(removed.checkpoints).toBe(11);
      const after = await checkpointCounts(backend.pool, threadId);
      expect(after.checkpoints).toBe(1);
      expect(after.blobs).toBeLessThan(counts.blobs);
      expect((await graph.getState(config)).values).toEqual(before.values);
      const history = [];
      for await (const state of graph.getStateHistory(config)) history.push(state);
      expect(history).toHaveLength(1);
      await graph.invoke({ items: ["more"] }, config);
      expect((await graph.getState(config)).values).toEqual({ items: [...(before.values as { items: string[] }).items, "more", "a10", "b11"] });
    });

    it("keeps the writes of the latest checkpoint (a pending step survives)", async () => {
      const threadId = await threadWithHistory("ann", 2);
      await backend.pool.query(
        `INSERT INTO checkpoint_writes (thread_id, checkpoint_ns, checkpoint_id, task_id, idx, channel, type, blob)
         SELECT thread_id, checkpoint_ns, checkpoint_id, 'pending-task', 0, 'items', 'json', '\\x5b5d'::bytea
           FROM checkpoints WHERE thread_id = $1 ORDER BY checkpoint_id DESC LIMIT 1`,
        [threadId],
      );
      await pruner.keepLatest(threadId);
      const { rows } = await backend.pool.query("SELECT task_id FROM checkpoint_writes WHERE thread_id = $1", [threadId]);
      expect(rows.map((row: { task_id: string }) => row.task_id)).toContain("pending-task");
      const orphans = await backend.pool.query(
        `SELECT count(*)::int AS n FROM checkpoint_writes w WHERE thread_id = $1
           AND NOT EXISTS (SELECT 1 FROM checkpoints c WHERE c.thread_id = w.thread_id AND c.checkpoint_id = w.checkpoint_id)`,
        [threadId],
      );
      expect(orphans.rows[0]).toEqual({ n: 0 });
    });
  });

  describe("prune", () => {
    it("deletes only the caller's threads, tombstones them, and counts them", async () => {
      const mine = await threadWithHistory("cat");
      const theirs = await threadWithHistory("dan");
      const result = await lifecycle.prune("cat", { thread_ids: [mine, theirs, "00000000-0000-4000-8000-000000000000"], strategy: "delete" });
      expect(result).toEqual({ pruned_count: 1 });
      expect(await threadExists(mine)).toBe(false);
      expect(await tombstones.isDeleted(mine)).toBe(true);
      expect(await checkpointCounts(backend.pool, mine)).toEqual({ checkpoints: 0, blobs: 0, writes: 0 });
      expect(await threadExists(theirs)).toBe(true);
      expect(await tombstones.isDeleted(theirs)).toBe(false);
      expect((await checkpointCounts(backend.pool, theirs)).checkpoints).toBe(4);
    });

    it("keep_latest prunes the caller's threads to one checkpoint", async () => {
      const mine = await threadWithHistory("eve", 2);
      const result = await lifecycle.prune("eve", { thread_ids: [mine], strategy: "keep_latest" });
      expect(result).toEqual({ pruned_count: 1 });
      expect(await threadExists(mine)).toBe(true);
      expect((await checkpointCounts(backend.pool, mine)).checkpoints).toBe(1);
    });
  });

  describe("checkpoint retention in the sweep", () => {
    it("with a retention age, prunes intermediate checkpoints, keeps each turn's final one and the state", async () => {
      const threadId = await threadWithHistory("hal", 3);
      const graph = tinyGraph(saver);
      const config = { configurable: { thread_id: threadId } };
      const before = await graph.getState(config);
      const { checkpoints } = await checkpointCounts(backend.pool, threadId);
      const withRetention = new SessionLifecycleService({
        pool: backend.pool,
        ttls: new ThreadTtlStore(backend.pool),
        pruner,
        tombstones,
        threads: { delete: () => Promise.resolve() },
        logger,
        defaultTtl: null,
        retention: { days: 1, policy: pruner },
        now: () => new Date(Date.now() + 2 * 86_400_000),
      });
      const result = await withRetention.sweep();
      const after = await checkpointCounts(backend.pool, threadId);
      expect(after.checkpoints).toBe(3);
      expect(result.checkpoints_pruned).toBeGreaterThanOrEqual(checkpoints - 3);
      expect((await graph.getState(config)).values).toEqual(before.values);
    });
  });

  describe("TTL sweep", () => {
    it("deletes expired delete-TTL threads, prunes keep_latest ones once, and leaves fresh or busy ones", async () => {
      const expiring = await threadWithHistory("fay", 2);
      const keeping = await threadWithHistory("fay", 2);
      const fresh = await threadWithHistory("fay", 1);
      const busy = await threadWithHistory("fay", 1);
      const noTtl = await threadWithHistory("fay", 1);
      await lifecycle.setTtl("fay", expiring, threadTtlSchema.parse(60));
      await lifecycle.setTtl("fay", keeping, threadTtlSchema.parse({ strategy: "keep_latest", ttl: 60 }));
      await lifecycle.setTtl("fay", fresh, { strategy: "delete", ttl: 600 });
      await lifecycle.setTtl("fay", busy, { strategy: "delete", ttl: 60 });
      await sessions.setStatus({ threadId: busy, userId: "fay" }, "busy");
      await expect(lifecycle.setTtl("gus", noTtl, { strategy: "delete", ttl: 1 })).rejects.toMatchObject({ code: "not_found" });

      clock = new Date(Date.now() + 2 * HOUR);
      const first = await lifecycle.sweep();
      expect(first.deleted).toBeGreaterThanOrEqual(1);
      expect(await threadExists(expiring)).toBe(false);
      expect(await tombstones.isDeleted(expiring)).toBe(true);
      expect((await checkpointCounts(backend.pool, keeping)).checkpoints).toBe(1);
      expect(await threadExists(fresh)).toBe(true);
      expect(await threadExists(busy)).toBe(true);
      expect(await threadExists(noTtl)).toBe(true);
      expect(await lifecycle.getTtl(keeping)).toEqual({ strategy: "keep_latest", ttl: 60 });

      const second = await lifecycle.sweep();
      expect(second).toEqual({ deleted: 0, kept_latest: 0, checkpoints_pruned: 0, deltas_compacted: 0, store_items_expired: 0 });
    });

    it("applies the default TTL to threads without their own", async () => {
      const threadId = await threadWithHistory("hal", 1);
      const withDefault = new SessionLifecycleService({
        pool: backend.pool,
        ttls: new ThreadTtlStore(backend.pool),
        pruner,
        tombstones,
        threads: { delete: async (userId, id) => (await sessions.delete(userId, id), await saver.deleteThread(id)) },
        logger,
        defaultTtl: { minutes: 30, strategy: "delete" },
        now: () => new Date(Date.now() + HOUR),
      });
      await withDefault.sweep();
      expect(await threadExists(threadId)).toBe(false);
    });

    it("a step still running when its thread expires cannot bring it back (checkpoints, events)", async () => {
      const { session } = await sessions.open({ userId: "ida", assistantId: "chat" });
      const threadId = session.thread_id;
      await lifecycle.setTtl("ida", threadId, { strategy: "delete", ttl: 1 });
      let release!: () => void;
      let entered!: () => void;
      const inB = new Promise<void>((resolve) => (entered = resolve));
      const gate = new Promise<void>((resolve) => (release = resolve));
      const running = tinyGraph(saver, { slowB: async () => (entered(), await gate) }).invoke({ items: ["x"] }, { configurable: { thread_id: threadId } });
      await inB;
      clock = new Date(Date.now() + HOUR);
      expect((await lifecycle.sweep()).deleted).toBeGreaterThanOrEqual(1);
      release();
      await running;
      const lateEvents = await new EventLog(backend.pool).append({ threadId, runId: null, events: [{ event: "run.started", data: {} } as never] });
      expect(lateEvents).toEqual([]);
      expect(await threadExists(threadId)).toBe(false);
      expect(await checkpointCounts(backend.pool, threadId)).toEqual({ checkpoints: 0, blobs: 0, writes: 0 });
    });
  });
});

describe("sweepCron", () => {
  it("aligns on the hour", () => {
    expect(sweepCron(5)).toBe("*/5 * * * *");
    expect(sweepCron(60)).toBe("0 * * * *");
    expect(sweepCron(0)).toBe("*/1 * * * *");
  });
});
