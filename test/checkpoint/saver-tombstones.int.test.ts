import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ThreadlineSaver } from "../../src/checkpoint/threadline-saver.js";
import type { TombstoneRegistry } from "../../src/db/tombstone-registry.js";
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

  it("a deletion committing between a write and its check does not bring the thread back", async () => {
    const threadId = randomUUID();
    let raced = false;
    const racing: TombstoneRegistry = {
      async isDeleted(id) {
        if (raced) return tombstones.isDeleted(id);
        raced = true;
        // The deletion commits its tombstone and deletes, all after this write committed and before it checks.
        await tombstones.markDeleted([id], "deleted");
        await racingSaver.deleteThread(id);
        return false;
      },
      markDeleted: (ids, reason) => tombstones.markDeleted(ids, reason),
    };
    const racingSaver = new ThreadlineSaver(backend.pool, { tombstones: racing });
    await windowedChatGraph(racingSaver, { window: 10 }).invoke({ messages: [userTurn(1)] }, { configurable: { thread_id: threadId }, durability: "sync" });
    expect(await rowsOf(backend, threadId)).toEqual(NOTHING);
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
