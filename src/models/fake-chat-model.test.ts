import { HumanMessage, ToolMessage } from "@langchain/core/messages";
import { describe, expect, it } from "vitest";
import { FakeChatModel } from "./fake-chat-model.js";

describe("FakeChatModel", () => {
  it("echoes in at least two streamed chunks sharing one id", async () => {
    const chunks = [];
    for await (const chunk of await new FakeChatModel().stream([new HumanMessage("你好, world")])) chunks.push(chunk);
    expect(chunks.length).toBeGreaterThanOrEqual(2);
    expect(chunks.map((chunk) => chunk.text).join("")).toBe("You said: 你好, world");
    expect(new Set(chunks.map((chunk) => chunk.id)).size).toBe(1);
  });

  it("scripts tool calls and their follow-up", async () => {
    const model = new FakeChatModel();
    const call = await model.invoke([new HumanMessage('/tool calculator {"expression":"1+1"}')]);
    expect(call.tool_calls).toEqual([expect.objectContaining({ name: "calculator", args: { expression: "1+1" } })]);
    const followUp = await model.invoke([new ToolMessage({ content: "2", tool_call_id: "x", name: "calculator" })]);
    expect(followUp.text).toBe("Tool calculator returned: 2");
  });

  it("scripts several tool calls in one reply with /tools", async () => {
    const model = new FakeChatModel();
    const calls = await model.invoke([new HumanMessage('/tools [{"name":"calculator","args":{"expression":"1+1"}},{"name":"get_current_time","args":{}}]')]);
    expect(calls.tool_calls?.map((call) => [call.name, call.args])).toEqual([["calculator", { expression: "1+1" }], ["get_current_time", {}]]);
    expect(new Set(calls.tool_calls?.map((call) => call.id)).size).toBe(2);
    expect((await model.invoke([new HumanMessage('/tools [{"name":"calculator"}]')])).text).toBe('You said: /tools [{"name":"calculator"}]');
  });

  it("treats malformed tool commands as text and /fail as a failure", async () => {
    const model = new FakeChatModel();
    expect((await model.invoke([new HumanMessage("/tool calculator {broken")])).text).toBe("You said: /tool calculator {broken");
    await expect(model.invoke([new HumanMessage("/fail upstream 503")])).rejects.toThrow("upstream 503");
  });

  it("pads replies deterministically and reports usage", async () => {
    const reply = await new FakeChatModel({ replyMinChars: 50 }).invoke([new HumanMessage("abc")]);
    expect(reply.text.length).toBeGreaterThanOrEqual(50);
    expect(reply.text.startsWith("You said: abc abc")).toBe(true);
    expect(reply.usage_metadata?.output_tokens).toBeGreaterThan(0);
  });

  it("waits between chunks and honours abort", async () => {
    const controller = new AbortController();
    const stream = await new FakeChatModel({ chunkDelayMs: 200 }).stream([new HumanMessage("slow reply here")], { signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    await expect(async () => {
      // Draining the stream is the point: it must reject once aborted.
      for await (const chunk of stream) expect(chunk).toBeDefined();
    }).rejects.toThrow();
  });
});
