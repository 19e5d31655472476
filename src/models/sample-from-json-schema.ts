/** A deterministic instance of a JSON schema: strings carry `text`, numbers are 0, arrays empty. */
export function sampleFromJsonSchema(schema: unknown, text: string): unknown {
  if (schema === null || typeof schema !== "object") return text;
  const node = schema as Record<string, unknown>;
  if (Array.isArray(node.enum) && node.enum.length > 0) return node.enum[0];
  if ("const" in node) return node.const;
  const type = Array.isArray(node.type) ? (node.type[0] as unknown) : node.type;
  switch (type) {
    case "object": {
      const properties = (node.properties ?? {}) as Record<string, unknown>;
      return Object.fromEntries(Object.entries(properties).map(([key, value]) => [key, sampleFromJsonSchema(value, text)]));
    }
    case "array":
      return [];
    case "number":
    case "integer":
      return 0;
    case "boolean":
      return false;
    case "null":
      return null;
    default:
      return text;
  }
}
