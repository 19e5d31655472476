import { AIMessage, HumanMessage, SystemMessage, ToolMessage } from "@langchain/core/messages";
import { describe, expect, it } from "vitest";
import { toChatHistory, toolRoundsSinceLastUser } from "./chat-history.js";

const conversation = [
  new SystemMessage("Be brief."),
  new HumanMessage("What is 2*3?"),
  new AIMessage({ content: "", tool_calls: [{ id: "c1", name: "calculator", args: { expression: "2*3" } }] }),
  new ToolMessage({ content: "6", tool_call_id: "c1", name: "calculator" }),
];

describe("toChatHistory", () => {
  it("keeps the system prompt first, spells out tool calls and results, and ends with a model turn to fill", () => {
    expect(toChatHistory(conversation, { extraSystem: "Tools: …" })).toEqual([
      { type: "system", text: "Be brief.\n\nTools: …" },
      { type: "user", text: "What is 2*3?" },
      { type: "model", response: ['I used the calculator tool (expression: "2*3").'] },
      { type: "user", text: "Tool calculator returned: 6" },
      { type: "model", response: [] },
    ]);
  });

  it("has no system item when there is no system text", () => {
    expect(toChatHistory([new HumanMessage("hi")])).toEqual([{ type: "user", text: "hi" }, { type: "model", response: [] }]);
  });
});

describe("toolRoundsSinceLastUser", () => {
  it("counts tool rounds after the last user message", () => {
    expect(toolRoundsSinceLastUser(conversation)).toBe(1);
    expect(toolRoundsSinceLastUser([...conversation, new AIMessage("6"), new HumanMessage("and 3*3?")])).toBe(0);
  });
});
