import { AIMessage, type BaseMessage, HumanMessage, ToolMessage } from "@langchain/core/messages";
import { describe, expect, it } from "vitest";
import { planFold, safeCuts, turnStarts } from "./fold-plan.js";

let counter = 0;
const human = (text = "hi") => new HumanMessage({ id: `m${(counter += 1)}`, content: text });
const ai = (text = "ok") => new AIMessage({ id: `m${(counter += 1)}`, content: text });
const call = (...ids: string[]) => new AIMessage({ id: `m${(counter += 1)}`, content: "", tool_calls: ids.map((id) => ({ id, name: "calculator", args: {} })) });
const result = (id: string) => new ToolMessage({ id: `m${(counter += 1)}`, content: "4", tool_call_id: id, name: "calculator" });

describe("turns and safe cuts", () => {
  it("starts a turn at each user message, consecutive ones included", () => {
    const messages = [ai("welcome"), human(), ai(), human(), human(), ai(), human(), call("a"), result("a"), ai()];
    expect(turnStarts(messages)).toEqual([0, 1, 3, 4, 6]);
  });

  it("never cuts between a tool call and its result, even across a user message", () => {
    // A call answered only after the next user message (a closing result written before new input).
    const messages = [human(), call("a", "b"), result("a"), human(), result("b"), ai(), human(), call("c"), result("c"), ai(), human()];
    expect(safeCuts(messages)).toEqual([6, 10]);
  });
});

describe("planFold", () => {
  const turn = () => [human(), ai()];
  const limits = { fixedTokens: 10, budget: 100, lowWater: 60 };

  it("folds user messages left without replies (failed runs during an outage) instead of keeping them all as the current turn", () => {
    const messages = [human(), ai(), ...Array.from({ length: 30 }, () => human())];
    // 32 × 10 + 10 = 330 > 100: down to the low-water mark (≤ 60) keeps the last 5 messages, each a turn of its own.
    expect(planFold(messages, messages.map(() => 10), limits)).toBe(27);
  });

  it("folds nothing under budget", () => {
    const messages = [...turn(), ...turn()];
    expect(planFold(messages, messages.map(() => 10), limits)).toBe(0);
  });

  it("folds the oldest whole turns down to the low-water mark, keeping the last two turns", () => {
    const messages = Array.from({ length: 6 }, turn).flat();
    // 12 messages × 10 + 10 fixed = 130 > 100; down to ≤ 60 means keeping 5 messages → the last 2 turns (4).
    expect(planFold(messages, messages.map(() => 10), limits)).toBe(8);
  });

  it("keeps the previous turn when only the budget (not the low-water mark) can be met with it", () => {
    const messages = [...turn(), ...turn(), ...turn()];
    const sizes = [30, 30, 20, 20, 10, 10];
    // Keeping turns 2 and 3: 10 + 60 = 70 > 60 but ≤ 100 → fold only the first turn.
    expect(planFold(messages, sizes, limits)).toBe(2);
  });

  it("folds everything but the current turn when the previous one is too big", () => {
    const messages = [...turn(), ...turn(), ...turn()];
    const sizes = [10, 10, 60, 60, 10, 10];
    expect(planFold(messages, sizes, limits)).toBe(4);
  });

  it("never folds the current turn, however big", () => {
    const messages = [...turn(), human(), call("x"), result("x"), ai()];
    const sizes = [10, 10, 50, 50, 50, 50];
    expect(planFold(messages, sizes, limits)).toBe(2);
    const only: BaseMessage[] = [human(), call("y"), result("y"), ai()];
    expect(planFold(only, [100, 100, 100, 100], limits)).toBe(0);
  });
});
