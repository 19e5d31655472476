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
  for (const tool of tools) {
    if (seen.has(tool.name)) problems.push(`two tools are named "${tool.name}"`);
    seen.add(tool.name);
    if (!TOOL_NAME.test(tool.name)) problems.push(`tool name "${tool.name}" must be 1–64 letters, digits, _ or - (what model providers accept)`);
    if (!(tool.schema instanceof z.ZodObject)) problems.push(`tool "${tool.name}": its schema must be a z.object({...}) (providers take a tool's arguments as a JSON object)`);
    if (!tool.description.trim()) problems.push(`tool "${tool.name}" needs a description (the model reads it to choose the tool)`);
  }
  if (problems.length > 0) throw new Error(`The tool set cannot be used (tools/index.ts): ${problems.join("; ")}`);
}
