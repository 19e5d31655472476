import { describe, expect, it } from "vitest";
import { decodeConversationBytes } from "./conversation-bytes.js";

describe("decodeConversationBytes", () => {
  it("reads UTF-8, Chinese and emoji included", () => {
    const text = '{"role":"user","content":"café 北京 🙂"}\n';
    expect(decodeConversationBytes(Buffer.from(text, "utf8"))).toBe(text);
  });

  it("refuses bytes that are not UTF-8, naming the first such line", () => {
    const latin1 = Buffer.from('{"role":"user","content":"hello"}\n{"role":"assistant","content":"café"}\n', "latin1");
    expect(() => decodeConversationBytes(latin1)).toThrow(expect.objectContaining({ code: "invalid_request", details: { line: 2 } }));
    expect(() => decodeConversationBytes(Buffer.from([0x7b, 0xff, 0x7d]))).toThrow(/Line 1: not valid UTF-8/);
  });
});
