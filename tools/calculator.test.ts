import { describe, expect, it } from "vitest";
import type { ToolContext } from "../src/tools/tool-definition.js";
import { calculator } from "./calculator.js";

const context = {} as ToolContext;
const run = (expression: string) => calculator.execute({ expression }, context);

describe("calculator", () => {
  it.each([
    ["12 * (3 + 4)", "84"],
    ["2^64", "1.844674407371e+19"],
    ["sqrt(2)^2", "2"],
    ["0.1 + 0.2", "0.3"],
    ["5 km to mile", "3.1068559611867 mile"],
  ])("%s = %s", async (expression, expected) => {
    expect(await run(expression)).toBe(expected);
  });

  it.each(["import({}, {})", "evaluate('1+1')", "parse('1')", "createUnit('foo')", "simplify('x+x')"])("refuses %s", async (expression) => {
    await expect(run(expression)).rejects.toThrow(/Could not evaluate/);
  });

  it("reports syntax errors in a way the model can fix", async () => {
    await expect(run("1 +* 2")).rejects.toThrow(/Could not evaluate "1 \+\* 2"/);
  });

  it("validates its input schema", () => {
    expect(calculator.schema.safeParse({ expression: "" }).success).toBe(false);
    expect(calculator.schema.safeParse({ expr: "1" }).success).toBe(false);
  });
});
