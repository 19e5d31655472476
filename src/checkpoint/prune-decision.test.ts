import { describe, expect, it } from "vitest";
import { nextChannelVersion } from "./channel-version.js";
import { checkpointIdAt } from "./checkpoint-id-time.js";
import { decidePrune, type RetentionRow } from "./prune-decision.js";

const row = (id: string, parent: string | null, source: string, versions: Record<string, number>, stopped = false): RetentionRow => ({ namespace: "", id, parent, source, versions, stopped }); // eslint-disable-line max-params

describe("decidePrune", () => {
  // Two turns: input → start step → model step (end), then the next run's input → … → end.
  const rows = [
    row("a1", null, "input", { __start__: 1 }),
    row("a2", "a1", "loop", { __start__: 2, messages: 2 }),
    row("a3", "a2", "loop", { __start__: 2, messages: 3 }),
    row("b1", "a3", "input", { __start__: 4, messages: 3 }),
    row("b2", "b1", "loop", { __start__: 5, messages: 5 }),
    row("b3", "b2", "loop", { __start__: 5, messages: 6 }, true),
  ];

  it("keeps where turns ended (next run started, interrupt, latest) and re-links them", () => {
    const decision = decidePrune(rows, { cutoffId: "z", parentVersions: new Map() });
    expect(decision.prune.map((pruned) => pruned.id)).toEqual(["a1", "a2", "b1", "b2"]);
    expect(decision.relink).toEqual([
      { namespace: "", id: "a3", parent: null },
      { namespace: "", id: "b3", parent: "a3" },
    ]);
    expect(decision.mark).toBe("b3");
  });

  it("deletes only blobs created by pruned checkpoints that no kept one names", () => {
    const decision = decidePrune(rows, { cutoffId: "z", parentVersions: new Map() });
    const blobs = decision.blobs.map((blob) => `${blob.channel}@${blob.version}`).sort();
    // a3 names messages@3 (created by a3) and __start__@2 (created by a2): kept. b3 names __start__@5, messages@6.
    expect(blobs).toEqual(["__start__@1", "__start__@4", "messages@2", "messages@5"]);
  });

  it("keeps every run's end when runs were checkpointed only at exit (no input checkpoints), by the run that wrote them", () => {
    const exitRows: RetentionRow[] = [
      // An older run's end (written before checkpoints carried their run), then three runs checkpointed at exit.
      { ...row("o1", null, "loop", { messages: 2 }) },
      { ...row("x1", "o1", "loop", { messages: 4 }), run: "run-a" },
      { ...row("x2", "x1", "loop", { messages: 7 }), run: "run-b" },
      { ...row("x3", "x2", "loop", { messages: 9 }), run: "run-c" },
      // A run checkpointed every step after them: its input and middle steps go, its end stays.
      { ...row("y1", "x3", "input", { messages: 9, __start__: 10 }), run: "run-d" },
      { ...row("y2", "y1", "loop", { messages: 11, __start__: 10 }), run: "run-d" },
      { ...row("y3", "y2", "loop", { messages: 12, __start__: 10 }), run: "run-d" },
    ];
    const decision = decidePrune(exitRows, { cutoffId: "z", parentVersions: new Map() });
    expect(decision.prune.map((pruned) => pruned.id)).toEqual(["y1", "y2"]);
    expect(decision.relink).toEqual([{ namespace: "", id: "y3", parent: "x3" }]);
  });

  it("leaves checkpoints younger than the cutoff alone", () => {
    const decision = decidePrune(rows, { cutoffId: "b1", parentVersions: new Map() });
    expect(decision.prune.map((pruned) => pruned.id)).toEqual(["a1", "a2"]);
    expect(decision.mark).toBe("a3");
  });
});

describe("checkpoint ids and versions", () => {
  it("checkpointIdAt sorts with the uuid6 ids LangGraph makes at that time", () => {
    expect(checkpointIdAt(new Date("2026-11-22T00:24:53.495Z"))).toBe("1f1e60b2-335c-6070-0000-000000000000");
  });

  it("versions keep LangGraph's order and differ between branches", () => {
    const next = nextChannelVersion(7.12345671) as number;
    expect(Math.floor(next)).toBe(8);
    expect(next).toBeGreaterThan(7.99999999);
    expect(String(next)).toMatch(/^8\.\d{7}1$/);
    expect(new Set(Array.from({ length: 50 }, () => nextChannelVersion(7))).size).toBeGreaterThan(45);
    expect(nextChannelVersion("00000000000000000000000000000003.1234")).toMatch(/^0{31}4\.\d{16}$/);
  });
});
