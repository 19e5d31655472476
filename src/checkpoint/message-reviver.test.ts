import { AIMessage, AIMessageChunk, ChatMessage, HumanMessage, RemoveMessage, SystemMessage, ToolMessage } from "@langchain/core/messages";
import { JsonPlusSerializer } from "@langchain/langgraph-checkpoint";
import { describe, expect, it } from "vitest";
import { reviveMessage } from "./message-reviver.js";

const serde = new JsonPlusSerializer();

const MESSAGES = [
  new HumanMessage({ id: "h1", content: "你好 👋", name: "ann", additional_kwargs: { a: [1, { b: null }] } }),
  new AIMessage({
    id: "a1",
    content: [{ type: "text", text: "blocks" }],
    tool_calls: [{ id: "c1", name: "calculator", args: { expression: "1+1" }, type: "tool_call" }],
    usage_metadata: { input_tokens: 1, output_tokens: 2, total_tokens: 3 },
    response_metadata: { model_name: "m", finish_reason: "stop" },
  }),
  new AIMessageChunk({ id: "c1", content: "chunk", tool_call_chunks: [{ name: "f", args: '{"x":', id: "t", index: 0, type: "tool_call_chunk" }] }),
  new ToolMessage({ id: "t1", content: "42", tool_call_id: "c1", name: "calculator", status: "error", artifact: { rows: [1, 2] } }),
  new SystemMessage({ id: "s1", content: "be brief" }),
  new ChatMessage({ id: "ch1", content: "hi", role: "critic" }),
  new RemoveMessage({ id: "gone" }),
  new AIMessage({ content: "no id" }),
  new AIMessage({ id: "u", content: "undefined fields", additional_kwargs: { gone: undefined, list: [1, undefined, 3] } }),
];

describe("reviveMessage", () => {
  it.each(MESSAGES.map((message, index) => [`${index}: ${message.getType()}`, message] as const))("rebuilds message %s exactly as the serializer does", async (_type, message) => {
    const [type, bytes] = await serde.dumpsTyped(message);
    const expected: unknown = await serde.loadsTyped(type, bytes);
    expect(reviveMessage(Buffer.from(bytes).toString("utf8"))).toStrictEqual(expected);
  });

  it("leaves anything unusual to the serializer", async () => {
    const escaped = new AIMessage({ id: "x", content: "", additional_kwargs: { looks: { lc: 1, type: "secret", id: ["K"] } } });
    const [, bytes] = await serde.dumpsTyped(escaped);
    expect(reviveMessage(Buffer.from(bytes).toString("utf8"))).toBeUndefined();
    expect(reviveMessage(JSON.stringify({ lc: 1, type: "constructor", id: ["langchain_core", "prompts", "PromptTemplate"], kwargs: {} }))).toBeUndefined();
    expect(reviveMessage(JSON.stringify([1, 2]))).toBeUndefined();
  });
});
