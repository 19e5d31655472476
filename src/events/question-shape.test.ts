import { describe, expect, it } from "vitest";
import { answerForLine, questionParts } from "./question-shape.js";

describe("questionParts", () => {
  it("reads a string, {question, options} and the other common text keys", () => {
    expect(questionParts("Sure?")).toEqual({ text: "Sure?", options: [], json: undefined });
    expect(questionParts({ question: "Sure?", options: ["yes", "no"] }).options).toEqual([{ label: "yes", value: "yes" }, { label: "no", value: "no" }]);
    expect(questionParts({ message: "确定吗？", choices: [true, false] })).toEqual({ text: "确定吗？", options: [{ label: "true", value: true }, { label: "false", value: false }], json: undefined });
    expect(questionParts({ prompt: "Size?", options: [{ label: "S", value: { size: 1 } }, { label: "M" }, 3] }).options).toEqual([
      { label: "S", value: { size: 1 } },
      { label: "M", value: "M" },
      { label: "3", value: 3 },
    ]);
  });

  it("offers no options when one is not understood, and shows anything else as JSON", () => {
    expect(questionParts({ question: "Sure?", options: ["yes", { value: 1 }] }).options).toEqual([]);
    expect(questionParts({ question: "Sure?", options: "yes" }).options).toEqual([]);
    expect(questionParts({ action: "send_email" })).toEqual({ text: undefined, options: [], json: '{\n  "action": "send_email"\n}' });
    expect(questionParts(null).json).toBe("null");
  });
});

describe("answerForLine", () => {
  it("an option's label answers with its value; anything else is the line", () => {
    const { options } = questionParts({ question: "Size?", options: [{ label: "Large", value: { size: 3 } }, 7] });
    expect(answerForLine("Large", options)).toEqual({ size: 3 });
    expect(answerForLine("7", options)).toBe(7);
    expect(answerForLine("large", options)).toBe("large");
  });
});
