import { writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTempDir, createTestDatabase, type TestDatabase } from "../helpers/test-database.js";
import { startTestServer } from "../helpers/test-server.js";

// A langgraph.json or a graph module that would fail later, or quietly, stops the server at start-up, saying what to fix.

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.drop();
});

/** Start a server on a langgraph.json holding `text`, in a temporary directory. */
async function startWith(text: string): Promise<unknown> {
  await using dir = await createTempDir("bad-graphs-");
  const config = path.join(dir.path, "langgraph.json");
  await writeFile(config, text);
  const server = await startTestServer({ databaseUrl: database.url, env: { LANGGRAPH_CONFIG: config } });
  await server.close();
  return server;
}

describe("start-up refuses", () => {
  it("two graphs declared under one id (the last was kept without a word)", async () => {
    const counter = path.resolve("test/helpers/counter-graph.ts");
    await expect(startWith(`{"graphs": {"joke": "${counter}:graph", "joke": "${counter}:graph"}}`)).rejects.toThrow(/graphs\.joke is declared twice/);
  });
});
