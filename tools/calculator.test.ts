import { describe, expect, it } from "vitest";
import type { ToolContext } from "../src/tools/tool-definition.js";
import { calculator, EVALUATION_TIMEOUT_MS, MAX_RESULT_ELEMENTS } from "./calculator.js";

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

  it("returns small matrices, and refuses results too large to return (without formatting them)", async () => {
    expect(await run("det([[1, 2], [3, 4]])")).toBe("-2");
    expect(await run("ones(2, 3)")).toBe("[[1, 1, 1], [1, 1, 1]]");
    const started = performance.now();
    await expect(run("range(1, 1000001)")).rejects.toThrow(`the result has 1000001 elements; at most ${MAX_RESULT_ELEMENTS} are returned`);
    await expect(run("zeros(200, 200)")).rejects.toThrow("40000 elements");
    expect(performance.now() - started).toBeLessThan(3 * EVALUATION_TIMEOUT_MS);
  });

  it("stops an evaluation that would run out of time and memory, and keeps working", async () => {
    const before = process.memoryUsage().heapUsed;
    await expect(run("ones(20000, 20000)")).rejects.toThrow(`takes longer than ${EVALUATION_TIMEOUT_MS} ms`);
    // 400 million elements were asked for (~3 GB): the evaluation stopped long before.
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(1.5e9);
    expect(await run("1 + 1")).toBe("2");
  });

  it("validates its input schema", () => {
    expect(calculator.schema.safeParse({ expression: "" }).success).toBe(false);
    expect(calculator.schema.safeParse({ expr: "1" }).success).toBe(false);
  });
});
