import { AIMessage, HumanMessage, ToolMessage } from "@langchain/core/messages";
import { MemorySaver } from "@langchain/langgraph";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { type AgentContext, withAgentContext } from "../src/agent/agent-context.js";
import { FakeChatModel } from "../src/models/fake-chat-model.js";
import { defineTool } from "../src/tools/tool-definition.js";
import { calculator } from "../tools/calculator.js";
import { graph } from "./chat.js";

const exploding = defineTool({
  name: "explode",
  description: "Always fails.",
  schema: z.object({}),
  execute: () => Promise.reject(new Error("kaboom")),
});

function context(overrides: Partial<AgentContext> = {}): AgentContext {
  return {
    model: new FakeChatModel(),
    tools: [calculator, exploding],
    toolContext: { userId: "u", threadId: "t", runId: "r", db: { query: () => Promise.reject(new Error("no db")) }, signal: new AbortController().signal },
    ...overrides,
  };
}

async function turn(threadId: string, text: string, agentContext = context()) {
  graph.checkpointer = new MemorySaver();
  // The runtime passes the AgentContext in configurable, under its symbol key; config.context is the run's own.
  const config = { configurable: withAgentContext({ thread_id: threadId }, agentContext) };
  return graph.invoke({ messages: [new HumanMessage(text)] }, config);
}

describe("chat graph (MemorySaver, fake model)", () => {
  it("answers without tools", async () => {
    const state = await turn("a", "hello");
    expect(state.messages.map((message) => message.getType())).toEqual(["human", "ai"]);
    expect(state.messages.at(-1)?.text).toBe("You said: hello");
  });

  it("loops model → tools → model", async () => {
    const state = await turn("b", '/tool calculator {"expression":"6*7"}');
    expect(state.messages.map((message) => message.getType())).toEqual(["human", "ai", "tool", "ai"]);
    expect(state.messages[2]?.text).toBe("42");
    expect(state.messages.at(-1)?.text).toBe("Tool calculator returned: 42");
  });

  it("turns tool exceptions, unknown tools and invalid arguments into error results", async () => {
    const thrown = await turn("c", "/tool explode {}");
    expect(thrown.messages[2]).toBeInstanceOf(ToolMessage);
    expect((thrown.messages[2] as ToolMessage).status).toBe("error");
    expect(thrown.messages[2]?.text).toBe("Error: kaboom");
    const unknown = await turn("d", "/tool nope {}");
    expect(unknown.messages[2]?.text).toContain('unknown tool "nope"');
    const invalid = await turn("e", '/tool calculator {"expression": 5}');
    expect(invalid.messages[2]?.text).toContain("invalid arguments for calculator");
  });

  it("returns structured output matching the response shape", async () => {
    const shape = { type: "object", properties: { answer: { type: "string" }, tags: { type: "array" } } };
    const state = await turn("f", "structured please", context({ responseShape: shape }));
    expect(state.structured_response).toEqual({ answer: "You said: structured please", tags: [] });
    expect(JSON.parse(state.messages.at(-1)?.text ?? "")).toEqual(state.structured_response);
  });

  it("sends the system prompt first without storing it", async () => {
    const seen: string[][] = [];
    class RecordingModel extends FakeChatModel {
      override async _generate(...args: Parameters<FakeChatModel["_generate"]>) {
        seen.push(args[0].map((message) => message.getType()));
        return super._generate(...args);
      }
    }
    const state = await turn("g", "hi", context({ model: new RecordingModel(), systemPrompt: "Be brief." }));
    expect(seen[0]).toEqual(["system", "human"]);
    expect(state.messages.some((message) => message.getType() === "system")).toBe(false);
    expect(state.messages.at(-1)).toBeInstanceOf(AIMessage);
  });
});
