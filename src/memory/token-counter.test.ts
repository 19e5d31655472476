import { describe, expect, it } from "vitest";
import { encodingForModel, estimateTokens, tiktokenCounter } from "./token-counter.js";

describe("token counting", () => {
  it("estimates a token per four Latin characters and one per Han character", () => {
    expect(estimateTokens("")).toBe(0);
    expect(estimateTokens("abcdefgh")).toBe(2);
    expect(estimateTokens("今天天气很好")).toBe(6);
    expect(estimateTokens("pg_trgm 很好")).toBe(2 + 2);
  });

  it("counts OpenAI models with js-tiktoken and the right encoding", async () => {
    expect(encodingForModel("gpt-4o-mini")).toBe("o200k_base");
    expect(encodingForModel("gpt-4.1")).toBe("o200k_base");
    expect(encodingForModel("gpt-4-turbo")).toBe("cl100k_base");
    expect(encodingForModel("gpt-3.5-turbo")).toBe("cl100k_base");
    expect(encodingForModel("deepseek-chat")).toBe("o200k_base");
    const counter = await tiktokenCounter("gpt-4o");
    expect(counter.name).toBe("tiktoken:o200k_base");
    expect(counter.count("hello world")).toBe(2);
    // Special-token text is plain text, not an error.
    expect(counter.count("<|endoftext|>")).toBeGreaterThan(1);
    expect(await tiktokenCounter("gpt-4o-mini")).toBe(counter);
  });
});
