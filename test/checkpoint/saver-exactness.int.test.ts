import { randomUUID } from "node:crypto";
import { HumanMessage, SystemMessage } from "@langchain/core/messages";
import type { RunnableConfig } from "@langchain/core/runnables";
import { Command } from "@langchain/langgraph";
import type { BaseCheckpointSaver, CheckpointTuple } from "@langchain/langgraph-checkpoint";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ThreadlineSaver } from "../../src/checkpoint/threadline-saver.js";
import { STORAGE_BACKENDS, type StorageBackend } from "../storage/storage-backends.js";
import { contents, conversationGraph } from "./conversation-graph.js";
import { MirroredSaver, mirrorOf } from "./mirror-saver.js";

async function collect(saver: BaseCheckpointSaver, config: RunnableConfig, options?: Parameters<BaseCheckpointSaver["list"]>[1]): Promise<CheckpointTuple[]> {
  const tuples: CheckpointTuple[] = [];
  for await (const tuple of saver.list(config, options)) tuples.push(tuple);
  return tuples;
}

/** The mirror's tuples with its thread id replaced, so both sides compare field by field. */
function asThread<T>(value: T, from: string, to: string): T {
  const parsed = JSON.parse(JSON.stringify({ box: value }), (_key, item: unknown) => (item === from ? to : item)) as { box: T };
  return parsed.box;
}

function normalizeConfigs(tuples: CheckpointTuple[], from: string, to: string): CheckpointTuple[] {
  return tuples.map((tuple) => ({ ...tuple, config: asThread(tuple.config, from, to), parentConfig: tuple.parentConfig && asThread(tuple.parentConfig, from, to) }));
}

/** Drive one thread through every kind of message and value the conversation graph produces. */
async function converse(saver: BaseCheckpointSaver, threadId: string): Promise<void> {
  const graph = conversationGraph(saver);
  const config = { configurable: { thread_id: threadId } };
  await graph.invoke({ messages: [{ role: "user", content: "hello" }] }, config);
  for (const text of ["tool please", "chunk", "noid", "blocks", "structured"]) {
    await graph.invoke({ messages: [new HumanMessage({ id: `h-${text}`, content: text })] }, config);
  }
  await graph.updateState(config, { messages: [new SystemMessage({ id: "sys", content: "be brief" })] });
  await graph.invoke({ messages: [new HumanMessage({ id: "h-evict", content: "evict" })] }, config);
  await graph.invoke({ messages: [new HumanMessage({ id: "h-approve", content: "approve" })] }, config);
  await graph.invoke(new Command({ resume: "yes" }), config);
  // A branch from an older checkpoint of the same thread (replay / rollback).
  const history = await collect(saver, config);
  const older = history.find((tuple) => tuple.metadata?.source === "loop" && tuple.metadata.step === 4);
  await graph.invoke({ messages: [new HumanMessage({ id: "h-branch", content: "a different question" })] }, { configurable: { thread_id: threadId, checkpoint_id: older?.checkpoint.id } });
}

describe.each(STORAGE_BACKENDS)("ThreadlineSaver reads exactly what PostgresSaver reads, on $name", (kind) => {
  let backend: StorageBackend;
  let saver: MirroredSaver;
  const threadId = randomUUID();
  const config = { configurable: { thread_id: threadId } };
  const mirror = { configurable: { thread_id: mirrorOf(threadId) } };

  beforeAll(async () => {
    backend = await kind.open();
    saver = new MirroredSaver(backend.pool);
    await converse(saver, threadId);
  });
  afterAll(async () => backend.dispose());

  it("list: every checkpoint, value, metadata and pending write is identical", async () => {
    const mine = await collect(saver, config);
    const plain = normalizeConfigs(await collect(saver.plain, mirror), mirrorOf(threadId), threadId);
    expect(mine.length).toBeGreaterThan(25);
    expect(mine).toStrictEqual(plain);
  });

  it("getTuple of each checkpoint and of the latest is identical, also from a fresh saver (no cached objects)", async () => {
    const fresh = new ThreadlineSaver(backend.pool);
    for (const tuple of await collect(saver.plain, mirror)) {
      const checkpointId = tuple.checkpoint.id;
      const plain = await saver.plain.getTuple({ configurable: { ...mirror.configurable, checkpoint_ns: "", checkpoint_id: checkpointId } });
      const mine = await fresh.getTuple({ configurable: { ...config.configurable, checkpoint_ns: "", checkpoint_id: checkpointId } });
      expect(mine).toStrictEqual(plain && normalizeConfigs([plain], mirrorOf(threadId), threadId)[0]);
    }
    const latest = await fresh.getTuple(config);
    expect(latest).toStrictEqual(normalizeConfigs([(await saver.plain.getTuple(mirror))!], mirrorOf(threadId), threadId)[0]);
  });

  it("latestTuples reads each thread's latest checkpoint together, exactly as getTuple reads it (pending interrupt included)", async () => {
    const waiting = randomUUID();
    const graph = conversationGraph(saver);
    await graph.invoke({ messages: [{ role: "user", content: "hello" }] }, { configurable: { thread_id: waiting } });
    await graph.invoke({ messages: [new HumanMessage({ id: "h-approve", content: "approve" })] }, { configurable: { thread_id: waiting } });
    const fresh = new ThreadlineSaver(backend.pool);
    const latest = await fresh.latestTuples([threadId, waiting, randomUUID()]);
    expect([...latest.keys()].sort()).toEqual([threadId, waiting].sort());
    for (const id of [threadId, waiting]) expect(latest.get(id)).toStrictEqual(await fresh.getTuple({ configurable: { thread_id: id } }));
    expect(latest.get(waiting)?.pendingWrites?.map(([, channel]) => channel)).toContain("__interrupt__");
    expect(await fresh.latestTuples([])).toEqual(new Map());
  });

  it("list options (limit, before, metadata filter) select the same checkpoints", async () => {
    const all = await collect(saver, config);
    const before = { configurable: { checkpoint_id: all[10]?.checkpoint.id } };
    for (const options of [{ limit: 3 }, { before, limit: 5 }, { filter: { source: "update" } }, { filter: { step: 3 } }]) {
      const plainBefore = options.before && { configurable: { checkpoint_id: options.before.configurable.checkpoint_id } };
      const plain = normalizeConfigs(await collect(saver.plain, mirror, { ...options, before: plainBefore }), mirrorOf(threadId), threadId);
      expect(await collect(saver, config, options)).toStrictEqual(plain);
    }
  });

  it("the branch reads its own messages (PostgresSaver's integer versions would mix in the other branch's)", async () => {
    const latest = await saver.getTuple(config);
    const messages = latest?.checkpoint.channel_values.messages as HumanMessage[];
    expect(contents(messages).slice(-2)).toEqual(["human:a different question", "ai:reply to “a different question” 😀"]);
    expect(contents(messages)).not.toContain("human:evict");
  });

  it("stores each message once: message rows track distinct messages, not steps", async () => {
    const { rows } = await backend.pool.query<{ n: number }>("SELECT count(*)::int AS n FROM checkpoint_messages WHERE thread_id = $1", [threadId]);
    const distinct = new Set<string>();
    for (const tuple of await collect(saver, config)) {
      for (const message of (tuple.checkpoint.channel_values.messages as HumanMessage[] | undefined) ?? []) distinct.add(JSON.stringify(message.toJSON()));
    }
    // Writes of RemoveMessage and the graph's input dicts (given ids by the reducer) add a few rows beyond the
    // distinct messages of the states; never one row per message per step.
    expect(rows[0]?.n).toBeGreaterThanOrEqual(distinct.size);
    expect(rows[0]?.n).toBeLessThan(distinct.size * 2);
  });
});
