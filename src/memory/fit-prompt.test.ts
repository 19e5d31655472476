import { HumanMessage, SystemMessage } from "@langchain/core/messages";
import { describe, expect, it } from "vitest";
import { policyFor } from "./context-policy.js";
import { fitPromptToBudget } from "./fit-prompt.js";

/** One token per word: easy sums. */
const words = { name: "words", count: (text: string) => text.split(/\s+/).filter(Boolean).length };
const policy = policyFor({ budget: 200, counter: words });

describe("fitPromptToBudget", () => {
  it("shortens the messages of the prompt to fit, keeping each at least a little", () => {
    const prompt = [new SystemMessage("be brief"), new HumanMessage("word ".repeat(400))];
    const fitted = fitPromptToBudget(prompt, { toolTokens: 0, policy });
    expect(policy.tokens.prompt(fitted, 0)).toBeLessThanOrEqual(200);
  });

  it("names the fixed part as the cause when the system context and tools alone are too big", () => {
    // The system message can be shortened too; the tools' schemas cannot.
    const prompt = [new SystemMessage("be brief"), new HumanMessage("hi")];
    expect(() => fitPromptToBudget(prompt, { toolTokens: 300, policy })).toThrow(/cannot hold this call: the system context and the tool schemas alone take \d+/);
  });

  it("names the messages that must stay when they are the cause (many messages, each kept at its shortest)", () => {
    const prompt = [new SystemMessage("be brief"), ...Array.from({ length: 12 }, () => new HumanMessage("word ".repeat(100)))];
    expect(() => fitPromptToBudget(prompt, { toolTokens: 0, policy })).toThrow(/the messages that must stay \(the current turn, 12 messages\) take \d+ even shortened/);
  });
});
