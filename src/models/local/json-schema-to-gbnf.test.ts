import { z } from "zod";
import { describe, expect, it } from "vitest";
import { DEFAULT_MAX_STRING_LENGTH, jsonSchemaToGbnf } from "./json-schema-to-gbnf.js";

describe("jsonSchemaToGbnf", () => {
  it("keeps required properties, their bounds and descriptions; drops optional ones", () => {
    const schema = z.toJSONSchema(z.object({ expression: z.string().min(1).max(500).describe("The expression"), precision: z.number().int().optional() }), { io: "input" });
    expect(jsonSchemaToGbnf(schema)).toEqual({
      type: "object",
      properties: { expression: { type: "string", minLength: 1, maxLength: DEFAULT_MAX_STRING_LENGTH, description: "The expression" } },
    });
  });

  it("bounds unbounded strings so generation always ends", () => {
    expect(jsonSchemaToGbnf({ type: "string" })).toEqual({ type: "string", maxLength: DEFAULT_MAX_STRING_LENGTH });
    expect(jsonSchemaToGbnf({ type: "string", maxLength: 20 })).toEqual({ type: "string", maxLength: 20 });
  });

  it("maps enums, consts, unions, nullable types, arrays and records", () => {
    expect(jsonSchemaToGbnf({ enum: ["a", "b"] })).toEqual({ enum: ["a", "b"] });
    expect(jsonSchemaToGbnf({ const: 3 })).toEqual({ const: 3 });
    expect(jsonSchemaToGbnf({ anyOf: [{ type: "integer" }, { type: "null" }] })).toEqual({ oneOf: [{ type: "integer" }, { type: "null" }] });
    expect(jsonSchemaToGbnf({ type: ["boolean", "null"] })).toEqual({ oneOf: [{ type: "boolean" }, { type: "null" }] });
    expect(jsonSchemaToGbnf({ type: "array", items: { type: "number" }, maxItems: 3 })).toEqual({ type: "array", items: { type: "number" }, maxItems: 3 });
    expect(jsonSchemaToGbnf({ type: "object", additionalProperties: { type: "boolean" } })).toEqual({ type: "object", additionalProperties: { type: "boolean" } });
    expect(jsonSchemaToGbnf({ type: "string", format: "date-time" })).toEqual({ type: "string", format: "date-time" });
  });

  it("inlines $refs and loosens what it cannot express", () => {
    const schema = { $defs: { when: { type: "string", format: "date" } }, type: "object", properties: { at: { $ref: "#/$defs/when" } }, required: ["at"] };
    expect(jsonSchemaToGbnf(schema)).toEqual({ type: "object", properties: { at: { type: "string", format: "date" } } });
    expect(jsonSchemaToGbnf({})).toEqual({ type: ["string", "number", "boolean", "null"] });
  });
});
