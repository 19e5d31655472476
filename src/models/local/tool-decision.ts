import type { GbnfJsonSchema } from "node-llama-cpp";
import { jsonSchemaToGbnf } from "./json-schema-to-gbnf.js";

/** A tool as the embedded model sees it (OpenAI function shape). */
export interface LocalTool {
  name: string;
  description: string;
  parameters: Record<string, unknown>;
}

/** What the model decided in the constrained decision step. */
export type ToolDecision =
  | { kind: "answer" }
  | { kind: "call"; name: string; args: Record<string, unknown> }
  /** Generation stopped before the JSON closed (token cap): treat as answering. */
  | { kind: "unfinished"; text: string };

/** The `tool` value that means "answer in words". */
export const ANSWER_CHOICE = "none";

/**
 * The system-prompt section that lists the tools and the one reply format. It asks for a decision only: the
 * grammar built by `decisionSchema` makes anything but `{"tool": "none"}` or a well-formed call impossible.
 */
export function toolInstructions(tools: readonly LocalTool[]): string {
  const list = tools.map((tool) => `- ${tool.name}: ${tool.description}\n  arguments: ${JSON.stringify(propertiesOf(tool))}`).join("\n");
  return (
    `You are a helpful assistant with tools:\n${list}\n\n` +
    "Decide whether the user's last message needs a tool. Reply with JSON only: " +
    '{"tool": "<tool name>", "arguments": {...}} to call a tool with arguments taken from the user\'s message, ' +
    `or {"tool": "${ANSWER_CHOICE}"} to answer without a tool.`
  );
}

/** The grammar's schema: one object per tool (name fixed, arguments from its schema) or the answer choice. */
export function decisionSchema(tools: readonly LocalTool[], options: { allowAnswer: boolean }): GbnfJsonSchema {
  const calls: GbnfJsonSchema[] = tools.map((tool) => ({
    type: "object",
    properties: { tool: { const: tool.name }, arguments: jsonSchemaToGbnf(tool.parameters) },
  }));
  const answer: GbnfJsonSchema = { type: "object", properties: { tool: { const: ANSWER_CHOICE } } };
  const choices = options.allowAnswer ? [...calls, answer] : calls;
  return choices.length === 1 ? (choices[0] as GbnfJsonSchema) : { oneOf: choices };
}

/** Read the decision; the grammar guarantees the shape, only a token cap can cut it short. */
export function parseDecision(text: string, tools: readonly LocalTool[]): ToolDecision {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { kind: "unfinished", text };
  }
  const value = parsed as { tool?: unknown; arguments?: unknown };
  const tool = tools.find((candidate) => candidate.name === value.tool);
  if (!tool) return { kind: "answer" };
  const args = value.arguments && typeof value.arguments === "object" ? (value.arguments as Record<string, unknown>) : {};
  return { kind: "call", name: tool.name, args };
}

/**
 * How a past call appears in the model's history: a sentence, not the decision's JSON. A small model copies what
 * it sees: with the JSON in its history, SmolLM2 answered half of its tool rounds with another call's JSON as the
 * reply (1 of 4 rounds in a probe, 0 of 4 with this sentence; the decision step is held to its JSON by grammar).
 */
export function renderToolCall(name: string, args: unknown): string {
  return `I used the ${name} tool (${Object.entries((args ?? {}) as Record<string, unknown>).map(([key, value]) => `${key}: ${JSON.stringify(value)}`).join(", ")}).`;
}

function propertiesOf(tool: LocalTool): unknown {
  return (tool.parameters as { properties?: unknown }).properties ?? {};
}
