import { describe, expect, it } from "vitest";
import { type RecentCheckpoint, RecentCheckpoints, recentTuple } from "./recent-checkpoints.js";

function entry(id: string, values: Record<string, unknown> = { messages: [] }): RecentCheckpoint {
  return { id, stored: { v: 4, id, ts: "2026-11-22T00:00:00.000Z", channel_versions: { messages: "1" }, versions_seen: {} }, values, storedMetadata: { source: "loop", step: 1 }, parentId: undefined };
}

describe("RecentCheckpoints", () => {
  it("hands an entry out once, and only for the checkpoint the caller knows is the latest", () => {
    const recent = new RecentCheckpoints(4);
    recent.remember("t", entry("a"));
    expect(recent.take("t", "b")).toBeUndefined();
    recent.remember("t", entry("a"));
    expect(recent.take("t", "a")?.id).toBe("a");
    expect(recent.take("t", "a")).toBeUndefined();
  });

  it("drops the least recently written thread beyond its capacity; capacity 0 keeps nothing", () => {
    const recent = new RecentCheckpoints(2);
    recent.remember("t1", entry("a"));
    recent.remember("t2", entry("b"));
    recent.remember("t1", entry("c"));
    recent.remember("t3", entry("d"));
    expect([recent.take("t1", "c")?.id, recent.take("t2", "b")?.id, recent.take("t3", "d")?.id]).toEqual(["c", undefined, "d"]);
    const none = new RecentCheckpoints(0);
    none.remember("t", entry("a"));
    expect(none.take("t", "a")).toBeUndefined();
  });

  it("does not remember a checkpoint pending writes were stored on, before or after its write returned", () => {
    const recent = new RecentCheckpoints(4);
    recent.writesOn("t", "a");
    recent.remember("t", entry("a"));
    expect(recent.take("t", "a")).toBeUndefined();
    recent.remember("t", entry("b"));
    recent.writesOn("t", "b");
    expect(recent.take("t", "b")).toBeUndefined();
    // Writes on an older checkpoint say nothing about the next one.
    recent.writesOn("t", "b");
    recent.remember("t", entry("c"));
    expect(recent.take("t", "c")?.id).toBe("c");
  });

  it("builds the tuple a read would give: stored JSON copied, values only of channels with a version, no pending writes", async () => {
    const values = { messages: ["m"], __pregel_tasks: [] };
    const tuple = await recentTuple({ threadId: "t", namespace: "" }, { ...entry("a", values), parentId: "p" }, (metadata) => Promise.resolve(metadata as never));
    expect(tuple).toEqual({
      config: { configurable: { thread_id: "t", checkpoint_ns: "", checkpoint_id: "a" } },
      checkpoint: { v: 4, id: "a", ts: "2026-11-22T00:00:00.000Z", channel_versions: { messages: "1" }, versions_seen: {}, channel_values: { messages: ["m"] } },
      metadata: { source: "loop", step: 1 },
      parentConfig: { configurable: { thread_id: "t", checkpoint_ns: "", checkpoint_id: "p" } },
      pendingWrites: [],
    });
  });
});
