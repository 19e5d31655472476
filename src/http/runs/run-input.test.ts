import { describe, expect, it } from "vitest";
import { normaliseRunInput } from "./run-input.js";

describe("normaliseRunInput", () => {
  it("accepts the shapes LangGraph clients send for a user message", () => {
    const expected = { messages: [{ role: "user", content: "hi there" }] };
    expect(normaliseRunInput({ messages: [{ role: "user", content: "hi there" }] })).toEqual(expected);
    expect(normaliseRunInput({ messages: [{ role: "human", content: "hi there" }] })).toEqual(expected);
    // The client's id is kept (LangGraph's add_messages keeps it).
    expect(normaliseRunInput({ messages: [{ type: "human", content: "hi there", id: "client-1" }] })).toEqual({ messages: [{ role: "user", content: "hi there", id: "client-1" }] });
    expect(normaliseRunInput({ messages: [{ type: "human", content: [{ type: "text", text: "hi " }, "there"] }] })).toEqual(expected);
  });

  it("keeps a speaker's name as written (a blank one is none)", () => {
    expect(normaliseRunInput({ messages: [{ role: "user", content: "我也来了", name: " 李娜 " }] })).toEqual({ messages: [{ role: "user", content: "我也来了", name: "李娜" }] });
    expect(normaliseRunInput({ messages: [{ role: "user", content: "hi", name: "  " }] })).toEqual({ messages: [{ role: "user", content: "hi" }] });
  });

  it("treats null and undefined as no input, and an empty object as an empty input (the graph runs from START)", () => {
    expect(normaliseRunInput(null)).toBeNull();
    expect(normaliseRunInput(undefined)).toBeNull();
    expect(normaliseRunInput({})).toEqual({ messages: [], values: {} });
  });

  it("keeps other keys as the graph's own state values (checked against the graph at submission)", () => {
    expect(normaliseRunInput({ topic: "cats" })).toEqual({ messages: [], values: { topic: "cats" } });
    expect(normaliseRunInput({ topic: "cats", messages: [{ role: "user", content: "hi" }] })).toEqual({ messages: [{ role: "user", content: "hi" }], values: { topic: "cats" } });
  });

  it.each([
    ["a string", "hello"],
    ["an array", [{ role: "user", content: "x" }]],
    ["an empty message list", { messages: [] }],
    ["an empty message list beside other keys", { messages: [], files: [] }],
    ["an assistant message", { messages: [{ role: "assistant", content: "x" }] }],
    ["a tool message", { messages: [{ type: "tool", content: "x", tool_call_id: "c" }] }],
    ["no role or type", { messages: [{ content: "x" }] }],
    ["empty content", { messages: [{ role: "user", content: "" }] }],
    ["an image part", { messages: [{ role: "user", content: [{ type: "image_url", image_url: { url: "x" } }] }] }],
    ["too many messages", { messages: Array.from({ length: 21 }, () => ({ role: "user", content: "x" })) }],
  ])("refuses %s", (_name, input) => {
    expect(() => normaliseRunInput(input)).toThrow(expect.objectContaining({ name: expect.stringMatching(/AppError|ZodError/) as string }) as Error);
  });
});
