import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DELETION_LOCK_SQL } from "../../src/checkpoint/saver-sql.js";
import { SAVER_TRANSACTION_KEY } from "../../src/checkpoint/saver-config-keys.js";
import { ThreadlineSaver } from "../../src/checkpoint/threadline-saver.js";
import { ThreadTombstones } from "../../src/jobs/lifecycle/thread-tombstones.js";
import { STORAGE_BACKENDS, type StorageBackend } from "../storage/storage-backends.js";
import { userTurn, windowedChatGraph } from "./windowed-chat-graph.js";

/** Rows a thread has in every table the saver writes. */
async function rowsOf(backend: StorageBackend, threadId: string): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of ["checkpoints", "checkpoint_blobs", "checkpoint_writes", "checkpoint_messages"]) {
    const { rows } = await backend.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table} WHERE thread_id = $1`, [threadId]);
    counts[table] = rows[0]?.n ?? 0;
  }
  return counts;
}

/** Until another session waits for an advisory lock (a write at the gate, or a deletion). */
async function waitForAdvisoryWaiter(backend: StorageBackend): Promise<void> {
  for (let tries = 0; tries < 200; tries += 1) {
    const { rows } = await backend.pool.query("SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND NOT granted");
    if (rows.length > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error("nobody waited for the advisory lock");
}

const NOTHING = { checkpoints: 0, checkpoint_blobs: 0, checkpoint_writes: 0, checkpoint_messages: 0 };

// The tombstone contract of ThreadlineSaver when given the tombstones.
describe.each(STORAGE_BACKENDS)("ThreadlineSaver with tombstones on $name", (kind) => {
  let backend: StorageBackend;
  let tombstones: ThreadTombstones;
  let saver: ThreadlineSaver;

  beforeAll(async () => {
    backend = await kind.open();
    tombstones = new ThreadTombstones(backend.pool);
    saver = new ThreadlineSaver(backend.pool, { tombstones });
  });
  afterAll(async () => backend.dispose());

  it("deleteThreadForever tombstones the thread; a later write leaves nothing behind", async () => {
    const threadId = randomUUID();
    const graph = windowedChatGraph(saver, { window: 10 });
    const config = { configurable: { thread_id: threadId }, durability: "sync" as const };
    await graph.invoke({ messages: [userTurn(1)] }, config);
    expect((await rowsOf(backend, threadId)).checkpoint_messages).toBe(2);
    await saver.deleteThreadForever(threadId);
    expect(await tombstones.isDeleted(threadId)).toBe(true);
    await graph.invoke({ messages: [userTurn(2)] }, config);
    expect(await rowsOf(backend, threadId)).toEqual(NOTHING);
    expect(await saver.getTuple(config)).toBeUndefined();
  });

  it("a write refused by the gate inside a caller's transaction fails it, and leaves nothing", async () => {
    const threadId = randomUUID();
    await tombstones.markDeleted([threadId], "deleted");
    const client = await backend.pool.connect();
    try {
      await client.query("BEGIN");
      const config = { configurable: { thread_id: threadId, [SAVER_TRANSACTION_KEY]: client }, durability: "sync" as const };
      await expect(windowedChatGraph(saver, { window: 10 }).invoke({ messages: [userTurn(1)] }, config)).rejects.toThrow(/was deleted/);
      await client.query("ROLLBACK");
    } finally {
      client.release();
    }
    expect(await rowsOf(backend, threadId)).toEqual(NOTHING);
  });

  // Concurrent transactions: only on Postgres (the embedded database has a single connection).
  if (kind.name === "Postgres") {
    it("a write blocked behind a deletion sees its tombstone once the deletion commits", async () => {
      const threadId = randomUUID();
      const graph = windowedChatGraph(saver, { window: 10 });
      const config = { configurable: { thread_id: threadId }, durability: "sync" as const };
      await graph.invoke({ messages: [userTurn(1)] }, config);
      const deletion = await backend.pool.connect();
      try {
        // The deletion holds the lock before its tombstone exists: the write's statement starts (its snapshot
        // without the tombstone), then waits; the gate must look again after the wait.
        await deletion.query("BEGIN");
        await deletion.query(DELETION_LOCK_SQL, [threadId]);
        const write = graph.invoke({ messages: [userTurn(2)] }, config);
        await waitForAdvisoryWaiter(backend);
        await deletion.query("INSERT INTO thread_tombstones (thread_id) VALUES ($1)", [threadId]);
        for (const table of ["checkpoints", "checkpoint_blobs", "checkpoint_writes", "checkpoint_messages"]) {
          await deletion.query(`DELETE FROM ${table} WHERE thread_id = $1`, [threadId]);
        }
        await deletion.query("COMMIT");
        await write;
      } finally {
        deletion.release();
      }
      expect(await rowsOf(backend, threadId)).toEqual(NOTHING);
    });

    it("a deletion waits for a write already past the gate, then removes its rows", async () => {
      const threadId = randomUUID();
      const writer = await backend.pool.connect();
      let deleted = false;
      try {
        await writer.query("BEGIN");
        const config = { configurable: { thread_id: threadId, [SAVER_TRANSACTION_KEY]: writer }, durability: "sync" as const };
        await windowedChatGraph(saver, { window: 10 }).invoke({ messages: [userTurn(1)] }, config);
        const deletion = saver.deleteThreadForever(threadId).then(() => (deleted = true));
        await waitForAdvisoryWaiter(backend);
        expect(deleted).toBe(false);
        await writer.query("COMMIT");
        await deletion;
      } finally {
        writer.release();
      }
      expect(await rowsOf(backend, threadId)).toEqual(NOTHING);
      expect(await tombstones.isDeleted(threadId)).toBe(true);
    });
  }

  it("writes for a live thread take no extra round trip for the tombstone check", async () => {
    const threadId = randomUUID();
    const statements: string[] = [];
    const counting = new Proxy(backend.pool, {
      get(target, property, receiver) {
        if (property !== "query") return Reflect.get(target, property, receiver) as unknown;
        return (text: unknown, ...rest: unknown[]) => {
          if (typeof text === "string") statements.push(text);
          return (target.query as (...args: unknown[]) => unknown).call(target, text, ...rest);
        };
      },
    });
    const countingSaver = new ThreadlineSaver(counting, { tombstones });
    await windowedChatGraph(countingSaver, { window: 10 }).invoke({ messages: [userTurn(1)] }, { configurable: { thread_id: threadId }, durability: "sync" });
    expect(statements.some((text) => text.includes("thread_tombstones"))).toBe(false);
    expect(statements.filter((text) => text.includes("threadline_checkpoint_write_allowed")).length).toBeGreaterThan(0);
  });

  it("deleteThread keeps PostgresSaver's meaning: a reset, and the thread can be written again", async () => {
    const threadId = randomUUID();
    const graph = windowedChatGraph(saver, { window: 10 });
    const config = { configurable: { thread_id: threadId }, durability: "sync" as const };
    await graph.invoke({ messages: [userTurn(1)] }, config);
    await saver.deleteThread(threadId);
    expect(await rowsOf(backend, threadId)).toEqual(NOTHING);
    expect(await tombstones.isDeleted(threadId)).toBe(false);
    const state = await graph.invoke({ messages: [userTurn(2)] }, config);
    expect(state.messages.map((message) => message.id)).toEqual(["user-2", "ai-1"]);
    expect((await saver.getTuple(config))?.checkpoint.channel_values.messages).toHaveLength(2);
  });
});
