import { describe, expect, it } from "vitest";
import { CUSTOM_CHUNK_MAX_BYTES, CUSTOM_CHUNK_MAX_DEPTH, checkCustomChunk } from "./custom-chunk.js";

function nested(levels: number): unknown {
  let value: unknown = "bottom";
  for (let level = 0; level < levels; level += 1) value = { next: value };
  return value;
}

describe("checkCustomChunk", () => {
  it("keeps JSON values as their JSON form: objects, arrays, strings, numbers, null", () => {
    expect(checkCustomChunk({ stage: "search", progress: 0.25 })).toEqual({ kept: true, data: { stage: "search", progress: 0.25 } });
    expect(checkCustomChunk(["a", 1])).toEqual({ kept: true, data: ["a", 1] });
    expect(checkCustomChunk("done")).toEqual({ kept: true, data: "done" });
    expect(checkCustomChunk(null)).toEqual({ kept: true, data: null });
    expect(checkCustomChunk({ at: new Date("2025-01-02T03:04:05.000Z"), skipped: undefined, ratio: Number.NaN })).toEqual({ kept: true, data: { at: "2025-01-02T03:04:05.000Z", ratio: null } });
  });

  it("replaces text Postgres cannot store with U+FFFD, in values and keys", () => {
    expect(checkCustomChunk({ "k\u0000": "a\u0000b\udc00" })).toEqual({ kept: true, data: { "k\uFFFD": "a\uFFFDb\uFFFD" } });
  });

  it("drops what has no JSON: a BigInt, a cycle, undefined, a function", () => {
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    for (const chunk of [{ n: 1n }, cycle, undefined, () => 1]) expect(checkCustomChunk(chunk)).toEqual({ kept: false, reason: "unserialisable" });
  });

  it("drops a chunk over CUSTOM_CHUNK_MAX_BYTES of UTF-8 JSON, and keeps one at the limit", () => {
    const room = CUSTOM_CHUNK_MAX_BYTES - JSON.stringify({ text: "" }).length;
    expect(checkCustomChunk({ text: "x".repeat(room) }).kept).toBe(true);
    expect(checkCustomChunk({ text: "x".repeat(room + 1) })).toEqual({ kept: false, reason: "too_large", bytes: CUSTOM_CHUNK_MAX_BYTES + 1 });
    // Bytes, not characters: 3 bytes each.
    expect(checkCustomChunk({ text: "天".repeat(Math.ceil(room / 3) + 1) })).toMatchObject({ kept: false, reason: "too_large" });
  });

  it("drops a chunk nested deeper than CUSTOM_CHUNK_MAX_DEPTH", () => {
    expect(checkCustomChunk(nested(CUSTOM_CHUNK_MAX_DEPTH)).kept).toBe(true);
    expect(checkCustomChunk(nested(CUSTOM_CHUNK_MAX_DEPTH + 1))).toMatchObject({ kept: false, reason: "too_deep" });
  });
});
