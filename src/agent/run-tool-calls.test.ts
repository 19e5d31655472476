import { describe, expect, it } from "vitest";
import { capToolOutput } from "./run-tool-calls.js";

describe("capToolOutput", () => {
  it("keeps output within the limit as it is", () => {
    expect(capToolOutput("short", 100)).toBe("short");
    expect(capToolOutput("x".repeat(100), 100)).toBe("x".repeat(100));
  });

  it("cuts longer output to the limit, note included, saying how long it was", () => {
    const capped = capToolOutput("y".repeat(5_000), 1_000);
    expect(capped.length).toBeLessThanOrEqual(1_000);
    expect(capped).toMatch(/^y+\n\[output truncated: 5000 characters in all\]$/);
  });

  it("never splits a surrogate pair at the cut", () => {
    const note = "\n[output truncated: 4000 characters in all]";
    for (const limit of [100, 101]) {
      const capped = capToolOutput("😀".repeat(2_000), limit);
      expect(capped.isWellFormed()).toBe(true);
      expect(capped.endsWith(note)).toBe(true);
      expect(capped.length).toBeLessThanOrEqual(limit);
    }
  });
});
