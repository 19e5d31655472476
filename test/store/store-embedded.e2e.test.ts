import { Client } from "@langchain/langgraph-sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningServer } from "../../src/app.js";
import { createTempDir } from "../helpers/test-database.js";
import { startTestServer } from "../helpers/test-server.js";
import { writeRecallLanggraphConfig } from "./recall-langgraph-config.js";

let dataDir: { path: string } & AsyncDisposable;
let server: RunningServer;
let client: Client;

// The embedded database has one pooled connection: a node's store calls run while the run holds none.
beforeAll(async () => {
  dataDir = await createTempDir();
  server = await startTestServer({ dataDir: dataDir.path, env: { AUTH_MODE: "apikey", LANGGRAPH_CONFIG: await writeRecallLanggraphConfig(dataDir.path) } });
  const { key } = await server.services.apiKeys.create("emb");
  client = new Client({ apiUrl: server.url, apiKey: null, defaultHeaders: { Authorization: `Bearer ${key}` } });
});
afterAll(async () => {
  await server.close();
  await dataDir[Symbol.asyncDispose]();
});

describe("the store on the embedded database (PGlite)", () => {
  it("serves the store API and gives graph runs the user's store", async () => {
    expect(server.services.databaseKind).toBe("embedded");
    await client.store.putItem(["profile"], "name", { name: "Emb" });
    expect((await client.store.searchItems(["profile"], { filter: { name: "Emb" } })).items).toHaveLength(1);
    const thread = await client.threads.create({ graphId: "recall" });
    const values = (await client.runs.wait(thread.thread_id, "recall", { input: { messages: [{ role: "user", content: "hello" }] } })) as { messages: { content: string }[] };
    expect(values.messages.at(-1)?.content).toBe("name: Emb");
    expect((await client.store.getItem(["recall"], "last"))?.value).toEqual({ text: "hello" });
    expect((await client.store.listNamespaces()).namespaces).toEqual([["profile"], ["recall"]]);
  });
});
