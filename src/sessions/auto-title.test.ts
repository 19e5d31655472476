import { describe, expect, it } from "vitest";
import { autoTitle } from "./auto-title.js";

describe("auto title", () => {
  it("takes the first line, collapses whitespace and cuts long text at a word", () => {
    expect(autoTitle("  Hello\n\nworld")).toBe("Hello");
    expect(autoTitle("a ".repeat(50))).toMatch(/^(a ){0,29}a…$/);
    expect(Array.from(autoTitle("数据库".repeat(40)) ?? "").length).toBe(61);
    // No words to title with: the session stays untitled ("New chat" in each reader's language).
    expect(autoTitle("   ")).toBeUndefined();
    expect(autoTitle("```\nSELECT 1\n```")).toBeUndefined();
    expect(autoTitle("## How do I use **Node.js** `fs`?")).toBe("How do I use Node.js fs?");
  });
});
