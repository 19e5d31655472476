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

  it("a graph module that fails, naming the graph and its file (the module's message came alone)", async () => {
    const file = path.resolve("test/helpers/bad-graphs/top-level-throw.ts");
    await expect(startWith(`{"graphs": {"mailer": "${file}:graph"}}`)).rejects.toThrow(`Graph mailer (${file}:graph) failed to load: missing API key`);
  });

  it("a graph LangGraph refuses to build, and an export the file does not have, likewise", async () => {
    const file = path.resolve("test/helpers/bad-graphs/unreachable-node.ts");
    await expect(startWith(`{"graphs": {"flow": "${file}:builder"}}`)).rejects.toThrow(`Graph flow (${file}:builder) failed to load: Node \`orphan\` is not reachable`);
    await expect(startWith(`{"graphs": {"flow": "${file}:graph"}}`)).rejects.toThrow(`Graph flow (${file}:graph) failed to load: the file has no export "graph" (its exports: builder)`);
  });
});
