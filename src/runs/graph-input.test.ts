import { AIMessage, HumanMessage } from "@langchain/core/messages";
import { describe, expect, it } from "vitest";
import type { RunnableGraph } from "../registry/graph-registry.js";
import { checkpointIdAt } from "../checkpoint/checkpoint-id-time.js";
import { planGraphInput } from "./graph-input.js";
import type { Run } from "./run.js";

function chatRun(overrides: Partial<Run> = {}): Run {
  return {
    run_id: "r", thread_id: "t", user_id: "u", assistant_id: "chat", status: "running", kind: "chat", multitask_strategy: "enqueue",
    input: { messages: [{ id: "user-1", role: "user", content: "hi" }] }, command: null, checkpoint_id: null, interrupt_before: null,
    interrupt_after: null, config: null, metadata: {}, webhook: null, client_message_id: null, attempt: 1, max_attempts: 3, error: null,
    usage: null, before_checkpoint_id: "", cancel_requested: null, created_at: "", available_at: "", started_at: null, finished_at: null,
    ...overrides,
  };
}

/** A graph whose state is an existing conversation; counts state reads. */
function graphWith(messages: unknown[]) {
  const graph = { reads: 0, getState: () => { graph.reads += 1; return Promise.resolve({ values: { messages }, next: [], tasks: [], config: { configurable: {} } }); }, updateState: () => Promise.resolve() };
  return graph;
}

describe("planGraphInput", () => {
  it("does not read the state of a thread whose claim found no checkpoint, and opens with the first message", async () => {
    const graph = graphWith([]);
    const plan = await planGraphInput(graph as unknown as RunnableGraph, chatRun(), { resumed: false, firstMessage: "Hello!", firstMessageId: "first" });
    expect(graph.reads).toBe(0);
    const messages = (plan.input as { messages: unknown[] }).messages;
    expect(messages.map((message) => (message as AIMessage).content)).toEqual(["Hello!", "hi"]);
    expect(messages[0]).toBeInstanceOf(AIMessage);
    expect(messages[1]).toBeInstanceOf(HumanMessage);
    expect(plan.skip).toBe(false);
  });

  it("reads the state when the thread has a checkpoint, and adds no first message to a conversation", async () => {
    const graph = graphWith([new HumanMessage({ id: "old", content: "before" })]);
    const plan = await planGraphInput(graph as unknown as RunnableGraph, chatRun({ before_checkpoint_id: "1ef" }), { resumed: false, firstMessage: "Hello!", firstMessageId: "first" });
    expect(graph.reads).toBe(1);
    expect((plan.input as { messages: { content: string }[] }).messages.map((message) => message.content)).toEqual(["hi"]);
  });

  it("does not read the state when the thread last changed by a run that succeeded", async () => {
    const graph = graphWith([new HumanMessage({ id: "old", content: "before" })]);
    const finishedAt = new Date("2026-11-22T06:00:00.000Z");
    const run = chatRun({ before_checkpoint_id: checkpointIdAt(new Date(finishedAt.getTime() - 5)) });
    const previousRun = () => Promise.resolve({ status: "success" as const, finished_at: finishedAt.toISOString() });
    const plan = await planGraphInput(graph as unknown as RunnableGraph, run, { resumed: false, firstMessage: "Hello!", firstMessageId: "first", previousRun });
    expect(graph.reads).toBe(0);
    expect((plan.input as { messages: { content: string }[] }).messages.map((message) => message.content)).toEqual(["hi"]);
  });

  it("reads the state after a run that did not succeed, or when the newest checkpoint is younger than its end", async () => {
    const finishedAt = new Date("2026-11-22T06:00:00.000Z");
    const cases = [
      { previous: { status: "cancelled" as const, finished_at: finishedAt.toISOString() }, checkpointAt: finishedAt.getTime() - 5 },
      { previous: { status: "interrupted" as const, finished_at: finishedAt.toISOString() }, checkpointAt: finishedAt.getTime() - 5 },
      // A state edit after the run wrote a newer checkpoint.
      { previous: { status: "success" as const, finished_at: finishedAt.toISOString() }, checkpointAt: finishedAt.getTime() + 5 },
      { previous: undefined, checkpointAt: finishedAt.getTime() - 5 },
    ];
    for (const { previous, checkpointAt } of cases) {
      const graph = graphWith([new HumanMessage({ id: "old", content: "before" })]);
      const run = chatRun({ before_checkpoint_id: checkpointIdAt(new Date(checkpointAt)) });
      await planGraphInput(graph as unknown as RunnableGraph, run, { resumed: false, firstMessageId: "first", previousRun: () => Promise.resolve(previous) });
      expect(graph.reads).toBe(1);
    }
  });

  it("reads the state of a resumed attempt even on a thread that had no checkpoint", async () => {
    const graph = graphWith([]);
    await planGraphInput(graph as unknown as RunnableGraph, chatRun(), { resumed: true, firstMessageId: "first" });
    expect(graph.reads).toBe(1);
  });
});
