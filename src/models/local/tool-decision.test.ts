import { describe, expect, it } from "vitest";
import { decisionSchema, type LocalTool, parseDecision, renderToolCall, toolInstructions } from "./tool-decision.js";

const tools: LocalTool[] = [
  { name: "calculator", description: "Evaluate math", parameters: { type: "object", properties: { expression: { type: "string" } }, required: ["expression"] } },
  { name: "get_current_time", description: "Current time", parameters: { type: "object", properties: {} } },
];

describe("the tool decision", () => {
  it("offers one object per tool, plus answering when allowed", () => {
    const schema = decisionSchema(tools, { allowAnswer: true }) as { oneOf: unknown[] };
    expect(schema.oneOf).toHaveLength(3);
    expect(schema.oneOf[0]).toEqual({ type: "object", properties: { tool: { const: "calculator" }, arguments: { type: "object", properties: { expression: { type: "string", maxLength: 400 } } } } });
    expect(schema.oneOf[2]).toEqual({ type: "object", properties: { tool: { const: "none" } } });
    expect(decisionSchema([tools[0] as LocalTool], { allowAnswer: false })).toMatchObject({ type: "object", properties: { tool: { const: "calculator" } } });
  });

  it("reads calls, answers and a cut-off decision", () => {
    expect(parseDecision('{"tool": "calculator", "arguments": {"expression": "1+1"}}', tools)).toEqual({ kind: "call", name: "calculator", args: { expression: "1+1" } });
    expect(parseDecision('{"tool": "none"}', tools)).toEqual({ kind: "answer" });
    expect(parseDecision('{"tool": "calculator", "arguments": {"expression": "1+', tools)).toMatchObject({ kind: "unfinished" });
  });

  it("describes the tools and the reply format, and renders past calls the same way", () => {
    const instructions = toolInstructions(tools);
    expect(instructions).toContain("- calculator: Evaluate math");
    expect(instructions).toContain('{"tool": "none"}');
    expect(renderToolCall("calculator", { expression: "2*3" })).toBe('I used the calculator tool (expression: "2*3").');
  });
});
