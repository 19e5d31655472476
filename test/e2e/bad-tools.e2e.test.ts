import { z } from "zod";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defineTool, type ToolDefinition } from "../../src/tools/tool-definition.js";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database.js";
import { startTestServer } from "../helpers/test-server.js";

// A developer's tool set that would fail later and quietly (two tools of one name: the first wins unseen; a schema
// providers cannot take) stops the server at start-up, saying what to fix.

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.drop();
});

const shout = (schema: z.ZodType): ToolDefinition => defineTool<z.ZodType>({ name: "shout", description: "Shouts the text.", schema, execute: () => Promise.resolve("OK") });

describe("a tool set start-up refuses", () => {
  it("two tools of one name", async () => {
    await expect(startTestServer({ databaseUrl: database.url, tools: [shout(z.object({ text: z.string() })), shout(z.object({}))] })).rejects.toThrow('two tools are named "shout"');
  });

  it("a tool whose schema is not an object", async () => {
    await expect(startTestServer({ databaseUrl: database.url, tools: [shout(z.string())] })).rejects.toThrow('tool "shout": its schema must be a z.object');
  });
});
