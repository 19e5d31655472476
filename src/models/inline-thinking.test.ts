import { AIMessage, AIMessageChunk } from "@langchain/core/messages";
import { describe, expect, it } from "vitest";
import { InlineThinkingSplitter, LATE_THINKING_KEY, mayThinkInline, splitLateThinking } from "./inline-thinking.js";

/** Each piece as one chunk through a splitter: the content of every chunk it gives, and the whole reply. */
function run(pieces: string[], templateOpens = false) {
  const splitter = new InlineThinkingSplitter({ templateOpens });
  const out = pieces.map((piece) => splitter.split(new AIMessageChunk({ content: piece, id: "m" })));
  const rest = splitter.finish();
  if (rest) out.push(rest);
  const whole = out.reduce((left, right) => left.concat(right));
  return { deltas: out.map((chunk) => chunk.content as string).filter(Boolean), whole: splitLateThinking(whole), closedLate: splitter.closedLate };
}

describe("InlineThinkingSplitter", () => {
  it("moves a leading <think> block split across chunks into reasoning_content, holding back partial tags", () => {
    const { deltas, whole } = run(["<thi", "nk>SPLIT pondering", " more</th", "ink>", "\n\nVisible answer."]);
    expect(deltas).toEqual(["Visible answer."]);
    expect(whole.content).toBe("Visible answer.");
    expect(whole.additional_kwargs.reasoning_content).toBe("SPLIT pondering more");
  });

  it("keeps a block and its answer in one chunk apart, and adds to a provider's own reasoning", () => {
    const splitter = new InlineThinkingSplitter({ templateOpens: false });
    const chunk = splitter.split(new AIMessageChunk({ content: "\n<think>\nwhy\n</think>\n\n你好！", additional_kwargs: { reasoning_content: "a " } }));
    expect(chunk.content).toBe("你好！");
    expect(chunk.additional_kwargs.reasoning_content).toBe("a \nwhy\n");
  });

  it("leaves a reply that mentions the tag later, or starts with another tag, as it came", () => {
    expect(run(["Use ", "<think> tags like <think>x</think> here."]).whole.content).toBe("Use <think> tags like <think>x</think> here.");
    expect(run(["<th", "ead>", " html"]).whole.content).toBe("<thead> html");
    expect(run(["<", "b>bold</b>"]).deltas.join("")).toBe("<b>bold</b>");
  });

  it("makes an unclosed block (a reply cut off while thinking) all reasoning, with no answer", () => {
    const { deltas, whole } = run(["<think>\nUNCLOSED kept thinking and", " never stopped </th"]);
    expect(deltas).toEqual([]);
    expect(whole.content).toBe("");
    expect(whole.additional_kwargs.reasoning_content).toBe("\nUNCLOSED kept thinking and never stopped </th");
  });

  it("splits a reply whose template opened the block (a lone </think> line) once it is whole, and says so", () => {
    const { deltas, whole, closedLate } = run(["QWEN okay let me see.\n</think>\n\n", "结果是 7。"]);
    expect(deltas.join("")).toContain("QWEN");
    expect(closedLate).toBe(true);
    expect(whole.content).toBe("结果是 7。");
    expect(whole.additional_kwargs.reasoning_content).toBe("QWEN okay let me see.\n");
    expect(whole.response_metadata[LATE_THINKING_KEY]).toBeUndefined();
  });

  it("does not take a </think> inside a sentence for the end of reasoning", () => {
    const { whole, closedLate } = run(["Close the block with </think> and go on."]);
    expect(closedLate).toBe(false);
    expect(whole.content).toBe("Close the block with </think> and go on.");
  });

  it("holds a template-opened model's reply until </think>, and releases it as the answer when none comes", () => {
    expect(run(["QWEN hm.", "\n</th", "ink>\n\n", "Seven."], true).deltas).toEqual(["Seven."]);
    const unclosed = run(["Just ", "an answer."], true);
    expect(unclosed.deltas).toEqual(["Just an answer."]);
    expect(unclosed.whole.additional_kwargs.reasoning_content).toBeUndefined();
  });

  it("splits a drained (non-streamed) reply too, keeping its tool calls", () => {
    const reply = new AIMessage({
      content: "hm\n</think>\nok",
      tool_calls: [{ id: "c1", name: "calculator", args: {} }],
      response_metadata: { [LATE_THINKING_KEY]: true, model_name: "qwen3" },
    });
    const split = splitLateThinking(reply);
    expect(split).toBeInstanceOf(AIMessage);
    expect(split).toMatchObject({ content: "ok", additional_kwargs: { reasoning_content: "hm\n" }, response_metadata: { model_name: "qwen3" } });
    expect(split.tool_calls?.map((call) => call.id)).toEqual(["c1"]);
  });
});

describe("mayThinkInline", () => {
  it("is true for OpenAI-compatible, Ollama and embedded models only", () => {
    expect(["openai:qwen3", "ollama:qwen3:8b", "local", "local:hf:x/y"].map(mayThinkInline)).toEqual([true, true, true, true]);
    expect(["anthropic:claude-haiku-4-5", "fake"].map(mayThinkInline)).toEqual([false, false]);
  });
});
