import { z } from "zod";
import { describe, expect, it } from "vitest";
import { BUILT_IN_TOOLS } from "../../tools/index.js";
import { defineTool, type ToolDefinition } from "./tool-definition.js";
import { checkToolSet } from "./tool-set-check.js";

function tool(name: string, schema: z.ZodType = z.object({ text: z.string() }), description = "Shouts."): ToolDefinition {
  return defineTool<z.ZodType>({ name, description, schema, execute: () => Promise.resolve("ok") });
}

describe("checkToolSet", () => {
  it("accepts the built-in tools", () => {
    expect(() => checkToolSet(BUILT_IN_TOOLS)).not.toThrow();
  });

  it.each([
    ["two tools of one name", [tool("shout"), tool("shout")], 'two tools are named "shout"'],
    ["a schema that is not an object", [tool("shout", z.string())], 'tool "shout": its schema must be a z.object'],
    ["a name providers refuse", [tool("shout loudly")], 'tool name "shout loudly" must be 1–64 letters'],
    ["no description", [tool("shout", z.object({}), " ")], 'tool "shout" needs a description'],
  ])("refuses %s, saying so", (_name, tools, message) => {
    expect(() => checkToolSet(tools)).toThrow(message);
  });
});
