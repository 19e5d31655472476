import vm from "node:vm";
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

/** Longest an evaluation may run: `ones(20000, 20000)` would otherwise allocate until the server runs out of memory. */
export const EVALUATION_TIMEOUT_MS = 500;
/** Most elements a result may have: formatting `range(1, 1000001)` alone held the event loop for seconds. */
export const MAX_RESULT_ELEMENTS = 10_000;

// The evaluation runs through a vm script only for its timeout, which stops any JavaScript on the thread (mathjs
// included) once it is past; the context exposes nothing but the evaluator.
const sandbox = vm.createContext({ evaluate: evaluateExpression, expression: "" });

function evaluateBounded(expression: string): unknown {
  (sandbox as { expression: string }).expression = expression;
  try {
    return vm.runInContext("evaluate(expression)", sandbox, { timeout: EVALUATION_TIMEOUT_MS });
  } catch (error) {
    if ((error as { code?: unknown }).code === "ERR_SCRIPT_EXECUTION_TIMEOUT") throw new Error(`it takes longer than ${EVALUATION_TIMEOUT_MS} ms`);
    throw error;
  }
}

/** Elements of a matrix or array result (1 for a scalar). */
function elementCount(result: unknown): number {
  const size = math.size(result as number) as unknown;
  const dimensions = (Array.isArray(size) ? size : (size as { valueOf(): unknown }).valueOf()) as number[];
  return dimensions.reduce((product, dimension) => product * dimension, 1);
}

/** Safe arithmetic with mathjs: never `eval`; bounded in time and in the size of what it returns. */
export const calculator = defineTool({
  name: "calculator",
  description:
    "Evaluate a math expression exactly, e.g. '12.5 * (3 + 4)', 'sqrt(2)^2', '2^64', '15% of 80' is not supported, " +
    "write '0.15 * 80'. Supports + - * / ^, parentheses, sqrt, sin, cos, log, pi, e and unit conversions like '5 km to mile'.",
  schema: z.object({ expression: z.string().min(1).max(500).describe("The expression to evaluate") }),
  execute({ expression }) {
    try {
      const result = evaluateBounded(expression);
      if (typeof result === "function" || result === undefined) throw new Error("Expression did not produce a value");
      const elements = elementCount(result);
      if (elements > MAX_RESULT_ELEMENTS) throw new Error(`the result has ${elements} elements; at most ${MAX_RESULT_ELEMENTS} are returned`);
      return Promise.resolve(math.format(result as number, { precision: 14 }));
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      return Promise.reject(new ToolInputError(`Could not evaluate "${expression}": ${reason}`));
    }
  },
});
