import { describe, expect, it } from "vitest";
import { modelSafeName, toGraphMessages } from "./imported-context.js";

describe("imported speakers for the model", () => {
  it("names take the only form OpenAI accepts, or none", () => {
    expect(modelSafeName("Caroline Smith")).toBe("Caroline_Smith");
    expect(modelSafeName("Melanie <3")).toBe("Melanie_3");
    expect(modelSafeName("José O'Brien")).toBe("Jose_O_Brien");
    expect(modelSafeName("Dr. Smith")).toBe("Dr_Smith");
    expect(modelSafeName("x".repeat(80))).toHaveLength(64);
    for (const unnamed of ["张伟", "Мария", "小助手 Bot", "  ", "<|>", undefined]) expect(modelSafeName(unnamed)).toBeUndefined();
  });

  it("a user without such a name is named in front of the words; an assistant's name is left out", () => {
    const rows = [
      { id: "1", role: "user" as const, content: "你好", name: "张伟" },
      { id: "2", role: "assistant" as const, content: "您好", name: "小助手" },
      { id: "3", role: "user" as const, content: "Hi", name: "Ada Lovelace" },
    ];
    const messages = toGraphMessages(rows as Parameters<typeof toGraphMessages>[0]);
    expect(messages.map((message) => [message.content, message.name])).toEqual([
      ["张伟: 你好", undefined],
      ["您好", undefined],
      ["Hi", "Ada_Lovelace"],
    ]);
  });
});
