import { randomUUID } from "node:crypto";
import { HumanMessage } from "@langchain/core/messages";
import type { Checkpoint, CheckpointMetadata, ChannelVersions } from "@langchain/langgraph-checkpoint";
import type { RunnableConfig } from "@langchain/core/runnables";
import { beforeAll, expect, it } from "vitest";
import { graph as chatGraph } from "../../graphs/chat.js";
import type { RunningServer } from "../../src/app.js";
import { ThreadlineSaver } from "../../src/checkpoint/threadline-saver.js";
import { useTestServer } from "../helpers/test-server.js";
import { TestWsClient } from "../helpers/ws-client.js";

/**
 * A saver whose process "dies" at its second checkpoint, once the first task's writes are stored: what a kill
 * between a step's writes and its checkpoint leaves behind.
 */
class DyingSaver extends ThreadlineSaver {
  private puts = 0;
  private writes: Promise<void> = Promise.resolve();

  override putWrites(...args: Parameters<ThreadlineSaver["putWrites"]>): Promise<void> {
    this.writes = super.putWrites(...args);
    return this.writes;
  }

  // eslint-disable-next-line max-params
  override async put(config: RunnableConfig, checkpoint: Checkpoint, metadata: CheckpointMetadata, versions: ChannelVersions): Promise<RunnableConfig> {
    this.puts += 1;
    if (this.puts < 2) return super.put(config, checkpoint, metadata, versions);
    await this.writes;
    throw new Error("killed before the step's checkpoint");
  }
}

const fixture = useTestServer({ env: { RUN_POLL_MS: 3_600_000 } });
let server: RunningServer;
beforeAll(() => {
  ({ server } = fixture);
});

// Regression: a crash after a turn's input checkpoint and its first task's writes, but before the next checkpoint.
// LangGraph's snapshot of that state applies the pending writes and reports `next: []` (the task that wrote them is
// still listed); the resumed attempt took that for "finished", skipped the graph and "succeeded" with no reply, and
// the turn's reply never existed (about one kill in twenty in the kill -9 loop).
it("a run resumed after a crash between its input checkpoint and the next one answers its input", async () => {
  const { pool } = server.services;
  const { session } = await server.services.sessions.open("local", { assistant_id: "chat", window_id: "crashed" });
  const threadId = session.thread_id;
  const runId = randomUUID();
  const input = { id: `user-${randomUUID()}`, role: "user" as const, content: "are you still there?" };

  const dying = Object.assign(Object.create(Object.getPrototypeOf(chatGraph) as object) as typeof chatGraph, chatGraph);
  dying.checkpointer = new DyingSaver(pool);
  const crashedAttempt = async () => {
    const stream = await dying.stream({ messages: [new HumanMessage({ id: input.id, content: input.content })] }, { configurable: { thread_id: threadId, run_id: runId }, durability: "sync" });
    for await (const chunk of stream) void chunk;
  };
  await expect(crashedAttempt()).rejects.toThrow("killed before");
  // Only the input checkpoint (step -1) and the __start__ task's pending writes were stored.
  const stored = await pool.query<{ source: string }>("SELECT metadata->>'source' AS source FROM checkpoints WHERE thread_id = $1", [threadId]);
  expect(stored.rows).toEqual([{ source: "input" }]);
  const pending = await pool.query("SELECT 1 FROM checkpoint_writes WHERE thread_id = $1", [threadId]);
  expect(pending.rowCount).toBeGreaterThan(0);
  const snapshot = await server.services.threadState.get("local", threadId);
  expect(snapshot.next).toEqual([]);

  // The run row as the dead instance left it: running, its lease expired.
  await pool.query(
    `INSERT INTO runs (run_id, thread_id, user_id, assistant_id, kind, multitask_strategy, input, status, attempt, lease_owner, lease_expires_at, started_at)
     VALUES ($1, $2, 'local', 'chat', 'chat', 'enqueue', $3, 'running', 1, 'a-dead-instance', now() - interval '1 minute', now())`,
    [runId, threadId, JSON.stringify({ messages: [input] })],
  );
  await using client = await TestWsClient.connect(server.wsUrl);
  await client.call("subscription.subscribe", { thread_id: threadId, since: 0 });
  await server.services.dispatcher.tick();
  const final = await client.waitFor((frame) => frame.type === "event" && frame.run_id === runId && ["run.completed", "run.failed"].includes(frame.event ?? ""), 30_000);
  expect(final.event).toBe("run.completed");

  const after = await server.services.threadState.get("local", threadId);
  expect((after.values as { messages: { content: string }[] }).messages.map((message) => message.content)).toEqual([input.content, `You said: ${input.content}`]);
  const history = await client.call<{ messages: { content: string }[] }>("messages.list", { thread_id: threadId, limit: 10 });
  expect(history.messages.map((message) => message.content)).toEqual([input.content, `You said: ${input.content}`]);
  const completed = client.events(threadId).filter((frame) => frame.event === "message.completed");
  expect(completed.map((frame) => (frame.data as { message: { content: string } }).message.content)).toEqual([input.content, `You said: ${input.content}`]);
});
