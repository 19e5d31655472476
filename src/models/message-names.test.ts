import { describe, expect, it } from "vitest";
import { toGraphMessages } from "../memory/imported-context.js";
import type { ImportedRow } from "../transcript/transcript-bulk-writer.js";
import { modelSafeName, withProviderSafeNames } from "./message-names.js";

describe("speakers' names for the model", () => {
  it("take the only form OpenAI accepts, or none", () => {
    expect(modelSafeName("Caroline Smith")).toBe("Caroline_Smith");
    expect(modelSafeName("Melanie <3")).toBe("Melanie_3");
    expect(modelSafeName("José O'Brien")).toBe("Jose_O_Brien");
    expect(modelSafeName("Dr. Smith")).toBe("Dr_Smith");
    expect(modelSafeName("x".repeat(80))).toHaveLength(64);
    for (const unnamed of ["张伟", "Мария", "小助手 Bot", "  ", "<|>", undefined]) expect(modelSafeName(unnamed)).toBeUndefined();
  });

  it("stay as written in an import's state; a provider call names a user without such a form in front of the words and leaves an assistant's out", () => {
    const row = (id: string, role: "user" | "assistant", content: string, name: string) => ({ id, role, content, name, timestamp: null }) as unknown as ImportedRow;
    const state = toGraphMessages([row("1", "user", "你好", "张伟"), row("2", "assistant", "您好", "小助手"), row("3", "user", "Hi", "Ada Lovelace")]);
    expect(state.map((message) => [message.content, message.name])).toEqual([
      ["你好", "张伟"],
      ["您好", "小助手"],
      ["Hi", "Ada Lovelace"],
    ]);
    expect(withProviderSafeNames(state).map((message) => [message.content, message.name])).toEqual([
      ["张伟: 你好", undefined],
      ["您好", undefined],
      ["Hi", "Ada_Lovelace"],
    ]);
    const plain = toGraphMessages([row("4", "user", "hello", "Ada")]);
    expect(withProviderSafeNames(plain)).toBe(plain);
  });
});
