import type { GbnfJsonSchema } from "node-llama-cpp";

/** Longest string a grammar lets the model write when the schema sets no bound, so generation always ends. */
export const DEFAULT_MAX_STRING_LENGTH = 400;
const MAX_DEPTH = 8;

type JsonSchema = Record<string, unknown>;

/**
 * Translate a JSON schema (as zod and OpenAI tools write them) into the subset node-llama-cpp turns into a grammar.
 * What the grammar cannot express is loosened, never tightened, so every valid value stays reachable — except
 * optional object properties, which are left out (the grammar would force them) and numeric bounds, which the
 * tool's own validation still checks.
 */
export function jsonSchemaToGbnf(schema: unknown, root: JsonSchema = asSchema(schema), depth = 0): GbnfJsonSchema {
  const node = resolveRef(asSchema(schema), root);
  const description = typeof node.description === "string" ? { description: node.description } : {};
  if (depth > MAX_DEPTH) return { type: ["string", "number", "boolean", "null"] };
  if ("const" in node && isScalar(node.const)) return { const: node.const, ...description };
  if (Array.isArray(node.enum)) {
    const values = node.enum.filter(isScalar);
    if (values.length > 0) return { enum: values, ...description };
  }
  const choices = (Array.isArray(node.anyOf) ? node.anyOf : Array.isArray(node.oneOf) ? node.oneOf : undefined) as unknown[] | undefined;
  if (choices && choices.length > 0) {
    const converted = choices.map((choice) => jsonSchemaToGbnf(choice, root, depth + 1));
    return converted.length === 1 ? (converted[0] as GbnfJsonSchema) : { oneOf: converted, ...description };
  }
  const types = (Array.isArray(node.type) ? node.type : [node.type]).filter((type): type is string => typeof type === "string");
  if (types.length > 1) return { oneOf: types.map((type) => jsonSchemaToGbnf({ ...node, type }, root, depth + 1)), ...description };
  const type = types[0] ?? "any";
  switch (type) {
    case "object":
      return objectSchema(node, root, depth);
    case "array": {
      const items = node.items === undefined ? undefined : jsonSchemaToGbnf(node.items, root, depth + 1);
      return { type: "array", ...(items ? { items } : {}), ...bounds(node, "minItems", "maxItems"), ...description };
    }
    case "string":
      return stringSchema(node);
    case "integer":
    case "number":
    case "boolean":
    case "null":
      return { type, ...description };
    default:
      return { type: ["string", "number", "boolean", "null"], ...description };
  }
}

function objectSchema(node: JsonSchema, root: JsonSchema, depth: number): GbnfJsonSchema {
  const properties = (node.properties ?? {}) as Record<string, unknown>;
  const required = new Set(Array.isArray(node.required) ? (node.required as unknown[]).map(String) : Object.keys(properties));
  const kept = Object.entries(properties).filter(([key]) => required.has(key));
  const converted = Object.fromEntries(kept.map(([key, value]) => [key, jsonSchemaToGbnf(value, root, depth + 1)]));
  const description = typeof node.description === "string" ? { description: node.description } : {};
  if (kept.length === 0 && node.additionalProperties && typeof node.additionalProperties === "object") {
    // A record: keys are free, values follow the schema.
    return { type: "object", additionalProperties: jsonSchemaToGbnf(node.additionalProperties, root, depth + 1), ...description };
  }
  return { type: "object", properties: converted, ...description };
}

function stringSchema(node: JsonSchema): GbnfJsonSchema {
  const description = typeof node.description === "string" ? { description: node.description } : {};
  if (node.format === "date-time" || node.format === "date" || node.format === "time") return { type: "string", format: node.format, ...description };
  const minLength = typeof node.minLength === "number" ? node.minLength : undefined;
  const maxLength = typeof node.maxLength === "number" ? Math.min(node.maxLength, DEFAULT_MAX_STRING_LENGTH) : DEFAULT_MAX_STRING_LENGTH;
  return { type: "string", ...(minLength !== undefined ? { minLength: Math.min(minLength, maxLength) } : {}), maxLength, ...description };
}

function bounds(node: JsonSchema, minKey: "minItems", maxKey: "maxItems"): { minItems?: number; maxItems?: number } {
  const result: { minItems?: number; maxItems?: number } = {};
  if (typeof node[minKey] === "number") result.minItems = node[minKey];
  if (typeof node[maxKey] === "number") result.maxItems = node[maxKey];
  return result;
}

function resolveRef(node: JsonSchema, root: JsonSchema): JsonSchema {
  const ref = node.$ref;
  if (typeof ref !== "string" || !ref.startsWith("#/")) return node;
  let target: unknown = root;
  for (const part of ref.slice(2).split("/")) target = (target as JsonSchema | undefined)?.[decodeURIComponent(part)];
  return target && typeof target === "object" ? (target as JsonSchema) : {};
}

function asSchema(value: unknown): JsonSchema {
  return value && typeof value === "object" && !Array.isArray(value) ? (value as JsonSchema) : {};
}

function isScalar(value: unknown): value is string | number | boolean | null {
  return value === null || ["string", "number", "boolean"].includes(typeof value);
}
