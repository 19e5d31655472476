import { describe, expect, it } from "vitest";
import { replayThenLive } from "./replay-then-live.js";
import type { ThreadEvent } from "./thread-event.js";

function event(seq: number): ThreadEvent {
  return { thread_id: "t", run_id: "r", seq, event: "message.delta", data: { message_id: "m", text: String(seq) }, created_at: "" };
}

/** A thread log plus a bus that, like the real ones, stores every event before publishing it. */
function fakeThread() {
  const stored: ThreadEvent[] = [];
  const listeners = new Set<(event: ThreadEvent) => void>();
  return {
    bus: {
      subscribe(_threadId: string, listener: (event: ThreadEvent) => void) {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
      ready: () => Promise.resolve(0),
    },
    async replay(since: number, limit: number): Promise<ThreadEvent[]> {
      await tick();
      return stored.filter((candidate) => candidate.seq > since).slice(0, limit);
    },
    async append(): Promise<void> {
      const next = event(stored.length + 1);
      stored.push(next);
      await tick();
      for (const listener of listeners) listener(next);
    },
  };
}

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

describe("replayThenLive", () => {
  it("delivers every event after `since` exactly once, in order, whenever it starts (random interleavings)", async () => {
    for (let trial = 0; trial < 40; trial += 1) {
      const thread = fakeThread();
      const before = Math.floor(Math.random() * 12);
      for (let index = 0; index < before; index += 1) await thread.append();
      const since = Math.floor(Math.random() * (before + 1));
      const received: number[] = [];
      const subscription = replayThenLive({
        bus: thread.bus,
        threadId: "t",
        since,
        replay: (from, limit) => thread.replay(from, limit),
        onEvent: async (delivered) => {
          if (Math.random() < 0.3) await tick();
          received.push(delivered.seq);
        },
        onError: (error) => {
          throw error;
        },
        pageSize: 1 + Math.floor(Math.random() * 4),
      });
      const writes = Array.from({ length: 1 + Math.floor(Math.random() * 10) }, () => thread.append());
      await Promise.all(writes);
      const total = before + writes.length;
      for (let wait = 0; wait < 200 && received.length < total - since; wait += 1) await tick();
      subscription.stop();
      expect(received, `trial ${trial}: since ${since}, ${total} events`).toEqual(Array.from({ length: total - since }, (_, index) => since + index + 1));
    }
  });

  it("stops delivering after stop() and reports a failing handler once", async () => {
    const thread = fakeThread();
    await thread.append();
    const errors: unknown[] = [];
    const received: number[] = [];
    replayThenLive({
      bus: thread.bus,
      threadId: "t",
      since: 0,
      replay: (from, limit) => thread.replay(from, limit),
      onEvent: (delivered) => {
        received.push(delivered.seq);
        throw new Error("socket gone");
      },
      onError: (error) => errors.push(error),
    });
    await thread.append();
    for (let wait = 0; wait < 20; wait += 1) await tick();
    expect(received).toEqual([1]);
    expect(errors).toHaveLength(1);
  });
});
