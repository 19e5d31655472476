import { describe, expect, it } from "vitest";
import { snippetAround } from "./search-snippet.js";

describe("a search hit's snippet", () => {
  it("keeps 40 columns before the match and 80 after: 40 Latin characters, 20 Chinese ones", () => {
    const english = `${"a".repeat(100)} needle ${"b".repeat(100)}`;
    expect(snippetAround(english, ["needle"])).toBe(`…${"a".repeat(39)} needle ${"b".repeat(79)}…`);
    // 60 Chinese characters before a match once filled the sidebar's three lines (about 16 a line) and hid it.
    const chinese = `${"雨".repeat(100)}确定量${"风".repeat(100)}`;
    expect(snippetAround(chinese, ["确定量"])).toBe(`…${"雨".repeat(20)}确定量${"风".repeat(40)}…`);
  });

  it("counts each character by its own width in mixed text, and cuts nothing at the edges of a short message", () => {
    expect(snippetAround(`${"ab天".repeat(20)}match`, ["match"])).toBe(`…${"ab天".repeat(10)}match`);
    expect(snippetAround("短的消息：天气预报说明天下雨", ["天气预报"])).toBe("短的消息：天气预报说明天下雨");
    expect(snippetAround("no term here", ["absent"])).toBe("no term here");
  });
});
