import { randomUUID } from "node:crypto";
import { HumanMessage } from "@langchain/core/messages";
import type { RunnableConfig } from "@langchain/core/runnables";
import { Command } from "@langchain/langgraph";
import { uuid6 } from "@langchain/langgraph-checkpoint";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LatestKnown, SAVER_LATEST_KNOWN_KEY, SAVER_TRANSACTION_KEY } from "../../src/checkpoint/saver-config-keys.js";
import { ThreadlineSaver } from "../../src/checkpoint/threadline-saver.js";
import { ThreadTombstones } from "../../src/jobs/lifecycle/thread-tombstones.js";
import { STORAGE_BACKENDS, type StorageBackend } from "../storage/storage-backends.js";
import { conversationGraph } from "./conversation-graph.js";
import { countingPool, emptyTally, type QueryTally } from "./counting-pool.js";

/** A read of the thread's latest checkpoint that says it is `checkpointId` (what a run's claim knows). */
function knownLatest(threadId: string, checkpointId: string): RunnableConfig {
  return { configurable: { thread_id: threadId, [SAVER_LATEST_KNOWN_KEY]: { checkpointId, consumed: false } satisfies LatestKnown } };
}

/** What a read from the tables gives, as JSON (in-memory and revived message objects differ in unset fields only). */
function serialised(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value));
}

describe.each(STORAGE_BACKENDS)("ThreadlineSaver answers a run's first read from the checkpoint it wrote, on $name", (kind) => {
  let backend: StorageBackend;
  let tally: QueryTally = emptyTally();
  let saver: ThreadlineSaver;
  /** A saver with nothing remembered: every read goes to the tables. */
  let reader: ThreadlineSaver;

  beforeAll(async () => {
    backend = await kind.open();
    saver = new ThreadlineSaver(countingPool(backend.pool, () => tally), { tombstones: new ThreadTombstones(backend.pool) });
    reader = new ThreadlineSaver(backend.pool);
  });
  afterAll(async () => backend.dispose());

  /** `saver.getTuple` of the known latest checkpoint, with the statements it sent. */
  async function readKnown(threadId: string, checkpointId: string) {
    tally = emptyTally();
    const tuple = await saver.getTuple(knownLatest(threadId, checkpointId));
    return { tuple, statements: tally.statements };
  }

  it("after every kind of turn, the remembered checkpoint is what the tables hold, read with no statement", async () => {
    const threadId = randomUUID();
    const graph = conversationGraph(saver);
    const config = { configurable: { thread_id: threadId } };
    const turns = ["hello", "tool please", "chunk", "noid", "blocks", "structured", "evict", "approve"].map((text) => ({ messages: [new HumanMessage({ id: `h-${text}`, content: text })] }));
    for (const input of [...turns, new Command({ resume: "yes" })] as Parameters<ReturnType<typeof conversationGraph>["invoke"]>[0][]) {
      await graph.invoke(input, config);
      const stored = await reader.getTuple(config);
      const latest = stored?.checkpoint.id ?? "";
      // The interrupted turn ("approve") leaves writes on its checkpoint: that one is read from the tables.
      const { tuple, statements } = await readKnown(threadId, latest);
      expect(serialised(tuple)).toStrictEqual(serialised(stored));
      expect(statements).toBe(stored?.pendingWrites?.length ? 1 : 0);
    }
  });

  it("a read whose claim knows another checkpoint, or a second read, goes to the tables", async () => {
    const threadId = randomUUID();
    const config = { configurable: { thread_id: threadId } };
    await conversationGraph(saver).invoke({ messages: [new HumanMessage("one")] }, config);
    const first = (await reader.getTuple(config))!;
    await conversationGraph(saver).invoke({ messages: [new HumanMessage("two")] }, config);
    const stale = await readKnown(threadId, first.checkpoint.id);
    expect(stale.statements).toBe(1);
    // The latest, not the checkpoint the caller thought was latest: the read answers what the tables hold.
    expect(stale.tuple?.checkpoint.id).not.toBe(first.checkpoint.id);
    const latest = stale.tuple!.checkpoint.id;
    expect((await readKnown(threadId, latest)).statements).toBe(1);
  });

  it("only the first latest read of a run is answered from memory; addressed and later reads query", async () => {
    const threadId = randomUUID();
    const config = { configurable: { thread_id: threadId } };
    await conversationGraph(saver).invoke({ messages: [new HumanMessage("one")] }, config);
    const latest = (await reader.getTuple(config))!.checkpoint.id;
    const known = knownLatest(threadId, latest);
    tally = emptyTally();
    await saver.getTuple(known);
    expect(tally.statements).toBe(0);
    await saver.getTuple(known);
    await saver.getTuple({ configurable: { thread_id: threadId, checkpoint_id: latest } });
    expect(tally.statements).toBe(2);
  });

  it("nothing is remembered from a write inside a caller's transaction (it may roll back), nor after a deletion", async () => {
    const threadId = randomUUID();
    const config = { configurable: { thread_id: threadId } };
    const graph = conversationGraph(saver);
    await graph.invoke({ messages: [new HumanMessage("one")] }, config);
    const client = await backend.pool.connect();
    try {
      await client.query("BEGIN");
      await graph.updateState({ configurable: { thread_id: threadId, [SAVER_TRANSACTION_KEY]: client } }, { summary: "edited, then rolled back" });
      await client.query("ROLLBACK");
    } finally {
      client.release();
    }
    saver.forgetThread(threadId);
    const latest = (await reader.getTuple(config))!;
    expect(latest.checkpoint.channel_values.summary).toBeUndefined();
    expect((await readKnown(threadId, latest.checkpoint.id)).statements).toBe(1);

    await graph.invoke({ messages: [new HumanMessage("two")] }, config);
    await saver.deleteThreadForever(threadId);
    const afterDeletion = await readKnown(threadId, (await reader.getTuple(config))?.checkpoint.id ?? "gone");
    expect(afterDeletion).toEqual({ tuple: undefined, statements: 1 });
  });

  it("keeps at most `recentThreads` threads, the most recently written; 0 keeps none", async () => {
    const small = new ThreadlineSaver(countingPool(backend.pool, () => tally), { recentThreads: 2 });
    const none = new ThreadlineSaver(countingPool(backend.pool, () => tally), { recentThreads: 0 });
    const threads = [randomUUID(), randomUUID(), randomUUID()];
    for (const threadId of threads) await conversationGraph(small).invoke({ messages: [new HumanMessage("hi")] }, { configurable: { thread_id: threadId } });
    const statementsOf = async (which: ThreadlineSaver, threadId: string) => {
      const latest = (await reader.getTuple({ configurable: { thread_id: threadId } }))!.checkpoint.id;
      tally = emptyTally();
      await which.getTuple(knownLatest(threadId, latest));
      return tally.statements;
    };
    expect(await Promise.all(threads.map((threadId) => statementsOf(small, threadId)))).toEqual([1, 0, 0]);
    const threadId = randomUUID();
    await conversationGraph(none).invoke({ messages: [new HumanMessage("hi")] }, { configurable: { thread_id: threadId } });
    expect(await statementsOf(none, threadId)).toBe(1);
  });

  it("a checkpoint with pending writes stored on it is not remembered, even when they land while its put is in flight", async () => {
    const threadId = randomUUID();
    const config = { configurable: { thread_id: threadId } };
    await conversationGraph(saver).invoke({ messages: [new HumanMessage("one")] }, config);
    const latest = (await reader.getTuple(config))!;
    // What LangGraph may do under `async` durability: a task's writes on a checkpoint whose put has not returned.
    const next = { ...latest.checkpoint, id: uuid6(-1), channel_values: { ...latest.checkpoint.channel_values } };
    const put = saver.put({ configurable: { thread_id: threadId, checkpoint_ns: "", checkpoint_id: latest.checkpoint.id } }, next, { source: "loop", step: 9, parents: {} }, {});
    await saver.putWrites({ configurable: { thread_id: threadId, checkpoint_ns: "", checkpoint_id: next.id } }, [["summary", "pending"]], "task-1");
    await put;
    const read = await readKnown(threadId, next.id);
    expect(read.statements).toBe(1);
    expect(read.tuple?.pendingWrites).toEqual([["task-1", "summary", "pending"]]);
  });
});
