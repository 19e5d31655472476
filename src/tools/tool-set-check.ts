import { z } from "zod";
import type { ToolDefinition } from "./tool-definition.js";

/** What every provider accepts as a function name (OpenAI's rule, the strictest of them). */
const TOOL_NAME = /^[a-zA-Z0-9_-]{1,64}$/;

/**
 * Refuse at start-up a tool set that would fail later, and quietly: two tools of one name (the first would win
 * unseen), a name a provider refuses, a schema that is not an object (providers take a tool's parameters as a JSON
 * object schema; a bare `z.string()` fails every model call of every assistant using the tool).
 */
export function checkToolSet(tools: readonly ToolDefinition[]): void {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const [index, tool] of tools.entries()) {
    // Checked as untyped values: a tools list written without the types (or cast) can miss any field.
    const { name, description, schema } = tool as Partial<Record<keyof ToolDefinition, unknown>>;
    if (typeof name !== "string" || !TOOL_NAME.test(name)) {
      problems.push(`tool ${index + 1} of the list: its name ${JSON.stringify(name) ?? "(none)"} must be 1–64 letters, digits, _ or - (what model providers accept)`);
      continue;
    }
    if (seen.has(name)) problems.push(`two tools are named "${name}"`);
    seen.add(name);
    if (isZod3Schema(schema)) problems.push(`tool "${name}": its schema is zod 3's (\`zod/v3\`): use z.object({...}) from "zod" (version 4), which the runtime turns into the tool's JSON schema`);
    else if (!(schema instanceof z.ZodObject)) problems.push(`tool "${name}": its schema must be a z.object({...}) (providers take a tool's arguments as a JSON object)`);
    if (typeof description !== "string" || !description.trim()) problems.push(`tool "${name}" needs a description (the model reads it to choose the tool)`);
  }
  if (problems.length > 0) throw new Error(`The tool set cannot be used (tools/index.ts): ${problems.join("; ")}`);
}

/** A zod 3 schema (`zod/v3`, which LangChain accepts): its definition names its type `Zod…`, zod 4's does not. */
function isZod3Schema(schema: unknown): boolean {
  const typeName = (schema as { _def?: { typeName?: unknown } } | null | undefined)?._def?.typeName;
  return typeof typeName === "string" && typeName.startsWith("Zod");
}
