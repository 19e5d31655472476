import { randomUUID } from "node:crypto";
import { HumanMessage, SystemMessage } from "@langchain/core/messages";
import { Command } from "@langchain/langgraph";
import type { CheckpointTuple, PendingWrite } from "@langchain/langgraph-checkpoint";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CheckpointRetention } from "../../src/checkpoint/checkpoint-retention.js";
import { SAVER_RUN_ID_KEY } from "../../src/checkpoint/saver-config-keys.js";
import { ThreadlineSaver } from "../../src/checkpoint/threadline-saver.js";
import { STORAGE_BACKENDS, type StorageBackend } from "../storage/storage-backends.js";
import { contents, conversationGraph } from "./conversation-graph.js";

const FUTURE = new Date(Date.now() + 86_400_000);

/** A deterministic conversation (every message has a fixed id); returns the turn-final checkpoint ids in order. */
async function converse(saver: ThreadlineSaver, threadId: string): Promise<string[]> {
  const graph = conversationGraph(saver);
  const config = { configurable: { thread_id: threadId } };
  const finals: string[] = [];
  const mark = async () => finals.push((await saver.getTuple(config))?.checkpoint.id ?? "");
  for (const text of ["hi", "tool please", "structured"]) {
    await graph.invoke({ messages: [new HumanMessage({ id: `h-${text}`, content: text })] }, config);
    await mark();
  }
  await graph.updateState(config, { messages: [new SystemMessage({ id: "sys", content: "be brief" })] });
  await mark();
  for (const text of ["evict", "approve"]) {
    await graph.invoke({ messages: [new HumanMessage({ id: `h-${text}`, content: text })] }, config);
    await mark();
  }
  await graph.invoke(new Command({ resume: "yes" }), config);
  await mark();
  await graph.invoke({ messages: [new HumanMessage({ id: "h-blocks", content: "blocks" })] }, config);
  await mark();
  return finals;
}

async function history(saver: ThreadlineSaver, threadId: string): Promise<CheckpointTuple[]> {
  const tuples: CheckpointTuple[] = [];
  for await (const tuple of saver.list({ configurable: { thread_id: threadId } })) tuples.push(tuple);
  return tuples;
}

/** Copy a checkpoint into a new thread the way ThreadForkService does (getTuple, put, putWrites). */
async function fork(saver: ThreadlineSaver, tuple: CheckpointTuple): Promise<string> {
  const threadId = randomUUID();
  const stored = await saver.put({ configurable: { thread_id: threadId, checkpoint_ns: "" } }, tuple.checkpoint, { ...tuple.metadata, source: "fork", step: tuple.metadata?.step ?? -1, parents: {} }, tuple.checkpoint.channel_versions);
  const byTask = new Map<string, PendingWrite[]>();
  for (const [taskId, channel, value] of tuple.pendingWrites ?? []) byTask.set(taskId, [...(byTask.get(taskId) ?? []), [channel, value]]);
  for (const [taskId, writes] of byTask) await saver.putWrites(stored, writes, taskId);
  return threadId;
}

describe.each(STORAGE_BACKENDS)("checkpoint retention on $name", (kind) => {
  let backend: StorageBackend;
  let saver: ThreadlineSaver;
  let retention: CheckpointRetention;
  const pruned = randomUUID();
  const control = randomUUID();
  let finals: string[] = [];
  let before = new Map<string, CheckpointTuple>();
  /** What the graph showed at each turn-final checkpoint before pruning (values with pending writes applied). */
  const viewBefore = new Map<string, unknown>();

  beforeAll(async () => {
    backend = await kind.open();
    saver = new ThreadlineSaver(backend.pool);
    retention = new CheckpointRetention(backend.pool);
    finals = await converse(saver, pruned);
    await converse(saver, control);
    before = new Map((await history(saver, pruned)).map((tuple) => [tuple.checkpoint.id, tuple]));
    for (const checkpointId of finals) {
      viewBefore.set(checkpointId, (await conversationGraph(saver).getState({ configurable: { thread_id: pruned, checkpoint_id: checkpointId } })).values);
    }
  });
  afterAll(async () => backend.dispose());

  it("prunes nothing younger than the cutoff", async () => {
    expect(await retention.pruneThread(pruned, { cutoff: new Date(Date.now() - 86_400_000) })).toEqual({ checkpoints: 0, writes: 0, blobs: 0, messages: 0 });
    expect((await history(saver, pruned)).length).toBe(before.size);
  });

  it("keeps exactly the turn-final checkpoints (runs' ends, the edit, the interrupt) and prunes the rest", async () => {
    const counts = await retention.pruneThread(pruned, { cutoff: FUTURE });
    const kept = await history(saver, pruned);
    expect(kept.map((tuple) => tuple.checkpoint.id).reverse()).toEqual(finals);
    expect(counts.checkpoints).toBe(before.size - finals.length);
    expect(counts.writes).toBeGreaterThan(0);
    expect(counts.blobs).toBeGreaterThan(0);
  });

  it("every kept checkpoint reads back exactly as before, re-linked to the previous kept one", async () => {
    const kept = (await history(saver, pruned)).reverse();
    for (const [index, tuple] of kept.entries()) {
      const original = before.get(tuple.checkpoint.id);
      expect({ ...tuple, parentConfig: undefined }).toStrictEqual({ ...original, parentConfig: undefined });
      expect(tuple.parentConfig?.configurable?.checkpoint_id).toBe(index === 0 ? undefined : kept[index - 1]?.checkpoint.id);
      const single = await new ThreadlineSaver(backend.pool).getTuple(tuple.config);
      expect(single).toStrictEqual(tuple);
    }
  });

  it("forking an old turn-final checkpoint after pruning reproduces its state", async () => {
    for (const checkpointId of finals) {
      const tuple = await saver.getTuple({ configurable: { thread_id: pruned, checkpoint_ns: "", checkpoint_id: checkpointId } });
      const forked = await fork(saver, tuple!);
      const copy = await saver.getTuple({ configurable: { thread_id: forked } });
      expect(copy?.checkpoint).toStrictEqual(before.get(checkpointId)?.checkpoint);
      expect(copy?.pendingWrites).toStrictEqual(before.get(checkpointId)?.pendingWrites);
      // By checkpoint id on both sides: reading "the latest" applies the checkpoint's finished pending writes.
      const state = await conversationGraph(saver).getState({ configurable: { thread_id: forked, checkpoint_id: checkpointId } });
      expect(state.values).toStrictEqual(viewBefore.get(checkpointId));
    }
  });

  it("replaying from an old turn-final checkpoint after pruning gives what the unpruned thread gives", async () => {
    const graph = conversationGraph(saver);
    const controlFinals = (await history(saver, control)).filter((tuple) => !tuple.metadata || tuple.metadata.source !== "input");
    const controlAfterTool = controlFinals.find((tuple) => contents((tuple.checkpoint.channel_values.messages as HumanMessage[]) ?? []).at(-1)?.startsWith("ai:工具返回"));
    const prunedAfterTool = finals[1];
    const input = { messages: [new HumanMessage({ id: "h-replay", content: "tool again" })] };
    const replayed = await graph.invoke(input, { configurable: { thread_id: pruned, checkpoint_id: prunedAfterTool } });
    const reference = await graph.invoke(input, { configurable: { thread_id: control, checkpoint_id: controlAfterTool?.checkpoint.id } });
    expect(replayed).toStrictEqual(reference);
    expect(contents(replayed.messages).slice(-4)).toEqual(["human:tool again", "ai:", "tool:42", "ai:工具返回 42 ✓"]);
  });

  it("a pending interrupt survives pruning and can be answered", async () => {
    const threadId = randomUUID();
    const graph = conversationGraph(saver);
    const config = { configurable: { thread_id: threadId } };
    await graph.invoke({ messages: [new HumanMessage({ id: "h1", content: "tool please" })] }, config);
    await graph.invoke({ messages: [new HumanMessage({ id: "h2", content: "approve" })] }, config);
    await retention.pruneThread(threadId, { cutoff: FUTURE });
    expect((await graph.getState(config)).next).toEqual(["model"]);
    const answered = await graph.invoke(new Command({ resume: "later" }), config);
    expect(contents(answered.messages).at(-1)).toBe("ai:decision: later");
  });

  it("runs checkpointed only at exit keep every run's end through pruning, and replay from them works", async () => {
    const threadId = randomUUID();
    const graph = conversationGraph(saver);
    const ends: string[] = [];
    for (const text of ["hi", "tool please", "hi again"]) {
      const config = { configurable: { thread_id: threadId, [SAVER_RUN_ID_KEY]: randomUUID() }, durability: "exit" as const };
      await graph.invoke({ messages: [new HumanMessage({ id: `h-${text}`, content: text })] }, config);
      ends.push((await saver.getTuple({ configurable: { thread_id: threadId } }))?.checkpoint.id ?? "");
    }
    expect((await history(saver, threadId)).map((tuple) => tuple.checkpoint.id).reverse()).toEqual(ends);
    const counts = await retention.pruneThread(threadId, { cutoff: FUTURE });
    expect(counts.checkpoints).toBe(0);
    expect((await history(saver, threadId)).map((tuple) => tuple.checkpoint.id).reverse()).toEqual(ends);
    const replayed = await graph.invoke({ messages: [new HumanMessage({ id: "h-other", content: "tool please" })] }, { configurable: { thread_id: threadId, checkpoint_id: ends[0], [SAVER_RUN_ID_KEY]: randomUUID() }, durability: "exit" });
    const atFirstEnd = (await graph.getState({ configurable: { thread_id: threadId, checkpoint_id: ends[0] } })).values as { messages: HumanMessage[] };
    expect(contents(replayed.messages).slice(0, 2)).toEqual(contents(atFirstEnd.messages).slice(0, 2));
    expect(contents(replayed.messages).at(-1)).toBe("ai:工具返回 42 ✓");
  });

  it("a sweep covers every thread and a second sweep finds nothing new", async () => {
    const first = await retention.sweep({ olderThanDays: 0, now: FUTURE });
    expect(first.threads).toBeGreaterThanOrEqual(3);
    expect(first.checkpoints).toBeGreaterThan(0);
    const second = await retention.sweep({ olderThanDays: 0, now: FUTURE });
    expect({ ...second, threads: 0 }).toEqual({ threads: 0, checkpoints: 0, writes: 0, blobs: 0, messages: 0 });
  });

  it("keep_latest also drops the stored messages nothing refers to any more", async () => {
    const threadId = randomUUID();
    await converse(saver, threadId);
    const latest = await saver.getTuple({ configurable: { thread_id: threadId } });
    const counts = await retention.keepLatest(threadId);
    expect(counts.messages).toBeGreaterThan(0);
    const kept = await new ThreadlineSaver(backend.pool).getTuple({ configurable: { thread_id: threadId } });
    // The same checkpoint, values and writes; its parent is gone, so it names none (a dangling link answered 404).
    expect({ ...kept, parentConfig: undefined }).toStrictEqual({ ...latest, parentConfig: undefined });
    expect(kept?.parentConfig).toBeUndefined();
  });
});
