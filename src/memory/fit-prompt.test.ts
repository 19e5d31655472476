import { AIMessage, HumanMessage, SystemMessage, ToolMessage } from "@langchain/core/messages";
import { describe, expect, it } from "vitest";
import { policyFor } from "./context-policy.js";
import { fitPromptToBudget } from "./fit-prompt.js";
import { ESTIMATE_COUNTER } from "./token-counter.js";

describe("fitPromptToBudget", () => {
  const policy = policyFor({ budget: 300, counter: ESTIMATE_COUNTER });

  it("leaves a prompt within budget alone", () => {
    const prompt = [new SystemMessage("be brief"), new HumanMessage("hi")];
    expect(fitPromptToBudget(prompt, { toolTokens: 0, policy })).toEqual(prompt);
  });

  it("shortens the oldest texts first, keeping ids and tool call/result pairs", () => {
    const prompt = [
      new SystemMessage("be brief"),
      new HumanMessage({ id: "h", content: "x".repeat(2000) }),
      new AIMessage({ id: "a", content: "", tool_calls: [{ id: "c", name: "search", args: {} }] }),
      new ToolMessage({ id: "t", content: "y".repeat(2000), tool_call_id: "c", name: "search" }),
    ];
    const fitted = fitPromptToBudget(prompt, { toolTokens: 20, policy });
    expect(policy.tokens.prompt(fitted, 20)).toBeLessThanOrEqual(300);
    expect(fitted.map((message) => message.id)).toEqual(prompt.map((message) => message.id));
    expect((fitted[3] as ToolMessage).tool_call_id).toBe("c");
    expect((fitted[2] as AIMessage).tool_calls?.[0]?.id).toBe("c");
    expect(fitted[1]?.text).toContain("truncated to fit the context budget");
    expect(fitted[0]?.text).toBe("be brief");
  });

  it("fails clearly when even the system context does not fit", () => {
    expect(() => fitPromptToBudget([new SystemMessage("s".repeat(4000)), new HumanMessage("hi")], { toolTokens: 400, policy })).toThrow(
      /context budget \(300 tokens\) cannot hold this call: the system context and the tool schemas alone take \d+; it needs (\d+)\. Raise the assistant's context_budget above \1/,
    );
  });

  describe("names the cause", () => {
    /** One token per word: easy sums. */
    const words = { name: "words", count: (text: string) => text.split(/\s+/).filter(Boolean).length };
    const small = policyFor({ budget: 200, counter: words });

    it("the messages that must stay, when they are what does not fit (many messages, each kept at its shortest)", () => {
      const prompt = [new SystemMessage("be brief"), ...Array.from({ length: 12 }, () => new HumanMessage("word ".repeat(100)))];
      expect(() => fitPromptToBudget(prompt, { toolTokens: 0, policy: small })).toThrow(/the messages that must stay \(the current turn, 12 messages\) take \d+ even shortened/);
    });
  });
});
