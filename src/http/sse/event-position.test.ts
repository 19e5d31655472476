import { describe, expect, it } from "vitest";
import { formatEventId, isAfter, METADATA_POSITION, parseEventId, STREAM_START } from "./event-position.js";

describe("SSE event positions", () => {
  it("format and parse round-trip; the first event of a group is the bare seq", () => {
    expect(formatEventId({ seq: 12, index: 0 })).toBe("12");
    expect(formatEventId({ seq: 12, index: 2 })).toBe("12.2");
    expect(parseEventId("12.2")).toEqual({ seq: 12, index: 2 });
    expect(parseEventId(" 7 ")).toEqual({ seq: 7, index: 0 });
    expect(parseEventId("-1")).toEqual(STREAM_START);
    expect(parseEventId(formatEventId(METADATA_POSITION))).toEqual(METADATA_POSITION);
  });

  it("absent means no cursor; anything we never send is invalid_request", () => {
    expect(parseEventId(undefined)).toBeUndefined();
    expect(parseEventId("")).toBeUndefined();
    for (const bad of ["abc", "1.2.3", "-2", "1e3", "12.", ".5"]) expect(() => parseEventId(bad), bad).toThrow(expect.objectContaining({ code: "invalid_request" }) as Error);
  });

  it("orders by seq, then by index within a seq", () => {
    expect(isAfter({ seq: 3, index: 0 }, { seq: 2, index: 5 })).toBe(true);
    expect(isAfter({ seq: 3, index: 1 }, { seq: 3, index: 0 })).toBe(true);
    expect(isAfter({ seq: 3, index: 0 }, { seq: 3, index: 0 })).toBe(false);
    expect(isAfter(METADATA_POSITION, STREAM_START)).toBe(true);
    expect(isAfter({ seq: 1, index: 0 }, METADATA_POSITION)).toBe(true);
  });
});
