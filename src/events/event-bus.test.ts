import { describe, expect, it } from "vitest";
import { EventBus } from "./event-bus.js";
import type { ThreadEvent } from "./thread-event.js";

function event(seq: number): ThreadEvent {
  return { thread_id: "t", run_id: "r", seq, event: "run.started", data: {}, created_at: "" } as unknown as ThreadEvent;
}

/** A log whose stored events are all committed; `lastSeq` is what existed when a channel opened. */
function fakeLog(stored: ThreadEvent[]) {
  return {
    lastSeq: () => Promise.resolve(stored.length === 0 ? 0 : Math.max(...stored.map((item) => item.seq))),
    listSince: (_threadId: string, since: number) => Promise.resolve(stored.filter((item) => item.seq > since).sort((left, right) => left.seq - right.seq)),
  };
}

describe("EventBus", () => {
  it("delivers an earlier event that is published after a later one on a brand-new channel (racing commits)", async () => {
    const stored = [event(1), event(2)];
    const log = fakeLog([]);
    const bus = new EventBus(log);
    const seen: number[] = [];
    bus.subscribe("t", (item) => seen.push(item.seq));
    await bus.ready("t");
    // Both transactions committed (1 before 2, the seq counter's row lock sees to that); 2 is published first.
    log.listSince = (_threadId, since) => Promise.resolve(stored.filter((item) => item.seq > since));
    bus.publish([event(2)]);
    bus.publish([event(1)]);
    await bus.settled();
    expect(seen).toEqual([1, 2]);
  });

  it("does not re-deliver what was stored before the subscription (a replay covers it)", async () => {
    const log = fakeLog([event(1), event(2)]);
    const bus = new EventBus(log);
    const seen: number[] = [];
    bus.subscribe("t", (item) => seen.push(item.seq));
    bus.publish([event(2)]);
    bus.publish([event(3)]);
    await bus.settled();
    expect(seen).toEqual([3]);
  });

  it("tells a deleted thread's subscribers after the events already on their way, once, and ends the subscriptions", async () => {
    const bus = new EventBus(fakeLog([event(1), event(2)]));
    const seen: string[] = [];
    bus.subscribe("t", (item) => seen.push(`event ${item.seq}`), (notice) => seen.push(`${notice.event} ${notice.seq}`));
    bus.subscribe("t", () => undefined);
    bus.publish([event(3)]);
    bus.announceDeleted("t");
    bus.announceDeleted("t");
    bus.publish([event(4)]);
    await bus.settled();
    expect(seen).toEqual(["event 3", "thread.deleted 4"]);
    expect(bus.hasListeners("t")).toBe(false);
  });
});
