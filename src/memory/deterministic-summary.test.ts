import { AIMessage, HumanMessage, ToolMessage } from "@langchain/core/messages";
import { describe, expect, it } from "vitest";
import { foldDeterministically } from "./deterministic-summary.js";
import { MessageTokens } from "./message-tokens.js";
import { ESTIMATE_COUNTER } from "./token-counter.js";

const tokens = new MessageTokens(ESTIMATE_COUNTER);

describe("deterministic summary", () => {
  it("lists who said what, tool calls and results, oldest first", () => {
    const folded = [
      new HumanMessage({ content: "What is 6 times 7?", name: "Ada" }),
      new AIMessage({ content: "", tool_calls: [{ id: "c1", name: "calculator", args: { expression: "6*7" } }] }),
      new ToolMessage({ content: "42", tool_call_id: "c1", name: "calculator" }),
      new AIMessage({ content: "It is 42." }),
    ];
    const text = foldDeterministically(undefined, folded, { maxTokens: 500, tokens });
    expect(text).toBe(
      [
        "4 earlier messages, oldest first:",
        "- user (Ada): What is 6 times 7?",
        '- assistant called calculator {"expression":"6*7"}',
        "- tool calculator: 42",
        "- assistant: It is 42.",
      ].join("\n"),
    );
  });

  it("extends the previous summary and drops its oldest lines past the limit, saying so", () => {
    const first = foldDeterministically(undefined, [new HumanMessage("first message"), new AIMessage("first reply")], { maxTokens: 500, tokens });
    const previous = { text: first, message_count: 2, through_message_id: null };
    const later = Array.from({ length: 20 }, (_, index) => new HumanMessage(`message number ${index} about 天气`));
    const text = foldDeterministically(previous, later, { maxTokens: 60, tokens });
    expect(tokens.text(text)).toBeLessThanOrEqual(60);
    const [heading, ...lines] = text.split("\n");
    expect(heading).toBe(`22 earlier messages, oldest first, the oldest ${22 - lines.length} no longer listed:`);
    expect(lines.at(-1)).toBe("- user: message number 19 about 天气");
    // Same input, same text.
    expect(foldDeterministically(previous, later, { maxTokens: 60, tokens })).toBe(text);
  });
});
