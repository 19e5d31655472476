import { describe, expect, it } from "vitest";
import type { EventBus } from "./event-bus.js";
import type { EventLog } from "./event-log.js";
import { RunEventPublisher } from "./event-publisher.js";
import type { NewThreadEvent, ThreadEvent } from "./thread-event.js";

/** An event log that records each stored batch, and a bus that records what it published. */
function recorder() {
  const batches: NewThreadEvent[][] = [];
  const published: ThreadEvent[] = [];
  let seq = 0;
  const log = {
    append: (batch: { events: NewThreadEvent[] }) => {
      batches.push(batch.events);
      return Promise.resolve(batch.events.map((event) => ({ ...event, thread_id: "t", run_id: "r", seq: (seq += 1), created_at: "" })));
    },
  } as unknown as EventLog;
  const bus = { publish: (events: ThreadEvent[]) => published.push(...events) } as unknown as EventBus;
  return { batches, published, log, bus };
}

const delta = (text: string, id = "m1"): NewThreadEvent => ({ event: "message.delta", data: { message_id: id, text } });
const settle = () => new Promise((resolve) => setTimeout(resolve, 5));

describe("RunEventPublisher", () => {
  it("stores the first delta at once, then paces the following ones into one write", async () => {
    const { batches, log, bus } = recorder();
    const publisher = new RunEventPublisher({ log, bus }, { threadId: "t", runId: "r" }, { deltaIntervalMs: 200 });
    publisher.emit(delta("Hel"));
    await settle();
    expect(batches).toEqual([[delta("Hel")]]);
    publisher.emit(delta("lo"));
    publisher.emit(delta(", wor"));
    await settle();
    expect(batches).toHaveLength(1);
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(batches).toEqual([[delta("Hel")], [delta("lo"), delta(", wor")]]);
  });

  it("never holds back other events: they go out at once, after the deltas queued before them", async () => {
    const { batches, published, log, bus } = recorder();
    const publisher = new RunEventPublisher({ log, bus }, { threadId: "t", runId: "r" }, { deltaIntervalMs: 10_000 });
    publisher.emit(delta("a"));
    await settle();
    publisher.emit(delta("b"));
    publisher.emit(delta("c"));
    const completed: NewThreadEvent = { event: "tool.started", data: { tool_call_id: "x", name: "calculator", args: {} } };
    publisher.emit(completed);
    await settle();
    expect(batches).toEqual([[delta("a")], [delta("b"), delta("c"), completed]]);
    expect(published.map((event) => event.seq)).toEqual([1, 2, 3, 4]);
  });

  it("drain stores what is still paced", async () => {
    const { batches, log, bus } = recorder();
    const publisher = new RunEventPublisher({ log, bus }, { threadId: "t", runId: "r" }, { deltaIntervalMs: 10_000 });
    publisher.emit(delta("a"));
    publisher.emit(delta("b"));
    await publisher.drain();
    expect(batches.flat()).toEqual([delta("a"), delta("b")]);
  });
});

