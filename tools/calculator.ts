import { all, create } from "mathjs";
import { z } from "zod";
import { defineTool, ToolInputError } from "../src/tools/tool-definition.js";

// A private mathjs instance with the functions that could reach outside arithmetic disabled,
// following mathjs's security guidance: no import, no parser construction, no symbolic code execution.
const math = create(all ?? {});
const evaluateExpression = math.evaluate.bind(math);
const DISABLED = ["import", "createUnit", "evaluate", "parse", "simplify", "derivative", "compile", "resolve", "reviver"];
math.import(
  Object.fromEntries(
    DISABLED.map((name) => [
      name,
      () => {
        throw new Error(`Function ${name} is disabled`);
      },
    ]),
  ),
  { override: true },
);

/** Safe arithmetic with mathjs: never `eval`. */
export const calculator = defineTool({
  name: "calculator",
  description:
    "Evaluate a math expression exactly, e.g. '12.5 * (3 + 4)', 'sqrt(2)^2', '2^64', '15% of 80' is not supported, " +
    "write '0.15 * 80'. Supports + - * / ^, parentheses, sqrt, sin, cos, log, pi, e and unit conversions like '5 km to mile'.",
  schema: z.object({ expression: z.string().min(1).max(500).describe("The expression to evaluate") }),
  execute({ expression }) {
    try {
      const result: unknown = evaluateExpression(expression);
      if (typeof result === "function" || result === undefined) throw new Error("Expression did not produce a value");
      return Promise.resolve(math.format(result as number, { precision: 14 }));
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      return Promise.reject(new ToolInputError(`Could not evaluate "${expression}": ${reason}`));
    }
  },
});
