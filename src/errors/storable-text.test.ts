import { describe, expect, it } from "vitest";
import { findUnstorableText, storableJson } from "./storable-text.js";

describe("storableJson", () => {
  it("is plain JSON.stringify when every text is storable (emoji, CJK, a literal backslash-u in text)", () => {
    const value = { text: "汉字 😀 \\u0000 as typed", list: [1, "two", null], nested: { "键": "值" } };
    expect(storableJson(value)).toBe(JSON.stringify(value));
  });

  it("replaces NUL characters and unpaired surrogates, in values and keys, with U+FFFD", () => {
    const value = { "a\u0000b": ["x\u0000y", "\ud800", "ok 😀"], deep: { "\udfff": "end\ud83d" } };
    const parsed = JSON.parse(storableJson(value)) as unknown;
    expect(parsed).toEqual({ "a\uFFFDb": ["x\uFFFDy", "\uFFFD", "ok 😀"], deep: { "\uFFFD": "end\uFFFD" } });
    expect(findUnstorableText(parsed)).toBeUndefined();
  });
});
