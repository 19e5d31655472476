import { z } from "zod";
import { z as z3 } from "zod/v3";
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
    ["a name providers refuse", [tool("shout loudly")], 'its name "shout loudly" must be 1–64 letters'],
    ["no description", [tool("shout", z.object({}), " ")], 'tool "shout" needs a description'],
    ["a zod 3 schema", [tool("shout", z3.object({ text: z3.string() }) as unknown as z.ZodType)], 'tool "shout": its schema is zod 3\'s'],
  ])("refuses %s, saying so", (_name, tools, message) => {
    expect(() => checkToolSet(tools)).toThrow(message);
  });

  it("names what is wrong with a tool listed without its types (no name, no description), rather than crashing", () => {
    const unnamed = { description: "No name.", schema: z.object({}), requiresApproval: false, execute: () => Promise.resolve("") } as unknown as ToolDefinition;
    expect(() => checkToolSet([unnamed])).toThrow("tool 1 of the list: its name (none) must be");
    const undescribed = { name: "shout", desciption: "typo", schema: z.object({}), requiresApproval: false, execute: () => Promise.resolve("") } as unknown as ToolDefinition;
    expect(() => checkToolSet([undescribed])).toThrow('tool "shout" needs a description');
  });
});
