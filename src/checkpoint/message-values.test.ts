import { AIMessage, AIMessageChunk, HumanMessage, RemoveMessage } from "@langchain/core/messages";
import { describe, expect, it } from "vitest";
import { extractMessages, isWriteOnlyMessage, restoreMessages } from "./message-values.js";
import { fromRanges, toRanges } from "./ref-ranges.js";

const human = new HumanMessage({ id: "h", content: "hi" });
const ai = new AIMessage({ id: "a", content: "hello" });

describe("extractMessages / restoreMessages", () => {
  it("a list of messages needs no template", () => {
    expect(extractMessages([human, ai])).toEqual({ template: undefined, messages: [human, ai] });
    expect(restoreMessages(undefined, [human, ai])).toEqual([human, ai]);
  });

  it("messages inside a graph input, a single write, or a mixed list round-trip through a template", () => {
    for (const value of [{ messages: [human, ai], other: 1 }, ai, [human, "text", { nested: ai }], { answer: 42, quote: ai, history: [ai] }]) {
      const extracted = extractMessages(value);
      expect(extracted).toBeDefined();
      expect(restoreMessages(JSON.parse(JSON.stringify(extracted?.template)), extracted?.messages ?? [])).toEqual(value);
    }
  });

  it("values without messages, deeper messages, and values that look like markers are stored as they are", () => {
    expect(extractMessages({ a: 1 })).toBeUndefined();
    expect(extractMessages([])).toBeUndefined();
    expect(extractMessages({ a: { b: { c: [ai] } } })).toBeUndefined();
    expect(extractMessages({ messages: [ai], spoof: { __threadline_message__: 0 } })).toBeUndefined();
    expect(extractMessages([ai, [{ __threadline_messages__: [0, 1] }]])).toBeUndefined();
  });
});

describe("pending writes", () => {
  it("keep chunks and removals inline (they never reach a state list as the same object)", () => {
    const chunk = new AIMessageChunk({ id: "c", content: "streamed" });
    const removal = new RemoveMessage({ id: "h" });
    const extracted = extractMessages([removal, ai, chunk], { keepInline: isWriteOnlyMessage });
    expect(extracted?.messages).toEqual([ai]);
    expect(restoreMessages(extracted?.template, extracted?.messages ?? [])).toEqual([removal, ai, chunk]);
    expect(extractMessages([chunk], { keepInline: isWriteOnlyMessage })).toBeUndefined();
    expect(extractMessages([chunk])?.messages).toEqual([chunk]);
  });
});

describe("ref ranges", () => {
  it("compress runs and expand back", () => {
    const refs = [4, 5, 6, 9, 10, 3, 3];
    expect(toRanges(refs)).toEqual([[4, 3], [9, 2], [3, 1], [3, 1]]);
    expect(fromRanges(toRanges(refs))).toEqual(refs);
    expect(toRanges(Array.from({ length: 1000 }, (_, index) => index + 1))).toEqual([[1, 1000]]);
  });
});

describe("message row compression", () => {
  it("round-trips and shrinks the serializer's boilerplate", async () => {
    const { JsonPlusSerializer } = await import("@langchain/langgraph-checkpoint");
    const { compressRow, decompressRow, COMPRESSED_JSON_TYPE } = await import("./message-compression.js");
    const [type, bytes] = await new JsonPlusSerializer().dumpsTyped(new AIMessage({ id: "fake-1", content: "A reply of moderate length, as models write them." }));
    const [storedType, stored] = compressRow(type, bytes);
    expect(storedType).toBe(COMPRESSED_JSON_TYPE);
    expect(stored.length).toBeLessThan(bytes.length / 2);
    expect(decompressRow(storedType, stored)).toEqual(["json", Buffer.from(bytes)]);
    expect(compressRow("bytes", bytes)).toEqual(["bytes", Buffer.from(bytes)]);
  });
});
