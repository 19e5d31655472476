import type { Client } from "@langchain/langgraph-sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningServer } from "../../src/app.js";
import { createTempDir, createTestDatabase, type TestDatabase } from "../helpers/test-database.js";
import { sdkUser } from "../helpers/sdk-user.js";
import { startTestServer } from "../helpers/test-server.js";
import { writeRecallLanggraphConfig } from "./recall-langgraph-config.js";

let database: TestDatabase;
let configDir: { path: string } & AsyncDisposable;
let server: RunningServer;
let ann: Client;
let ben: Client;
let annKey: string;

beforeAll(async () => {
  database = await createTestDatabase();
  configDir = await createTempDir();
  server = await startTestServer({ databaseUrl: database.url, env: { AUTH_MODE: "apikey", LANGGRAPH_CONFIG: await writeRecallLanggraphConfig(configDir.path) } });
  ({ client: ann, key: annKey } = await sdkUser(server, "ann"));
  ({ client: ben } = await sdkUser(server, "ben"));
});
afterAll(async () => {
  await server.close();
  await database.drop();
  await configDir[Symbol.asyncDispose]();
});

/** A raw request as ann (for inputs the SDK would refuse before sending). */
async function raw(method: string, route: string, body?: unknown): Promise<{ status: number; body: { code?: string; message?: string } }> {
  const response = await fetch(`${server.url}${route}`, {
    method,
    headers: { Authorization: `Bearer ${annKey}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as { code?: string; message?: string }) : {} };
}

describe("the store API through @langchain/langgraph-sdk", () => {
  it("putItem then getItem: LangGraph's item shape; a missing key is null", async () => {
    await ann.store.putItem(["memories", "prefs"], "food", { likes: "coffee" });
    const item = await ann.store.getItem(["memories", "prefs"], "food");
    expect(item).toMatchObject({ namespace: ["memories", "prefs"], key: "food", value: { likes: "coffee" } });
    expect(new Date(String((item as unknown as { created_at: string }).created_at)).getTime()).not.toBeNaN();
    expect(item?.createdAt).toBe((item as unknown as { created_at: string }).created_at);
    expect(item?.updatedAt).toEqual(expect.any(String));
    expect(await ann.store.getItem(["memories", "prefs"], "nothing")).toBeNull();

    await ann.store.putItem(["memories", "prefs"], "food", { likes: "tea" });
    expect((await ann.store.getItem(["memories", "prefs"], "food"))?.value).toEqual({ likes: "tea" });
  });

  it("searchItems: namespace prefix, filter, query, limit and offset", async () => {
    await ann.store.putItem(["notes"], "n1", { kind: "idea", score: 1, text: "Build a boat" });
    await ann.store.putItem(["notes", "work"], "n2", { kind: "idea", score: 7, text: "Ship the release" });
    await ann.store.putItem(["notes", "work"], "n3", { kind: "task", score: 4 });
    await ann.store.putItem(["notesbook"], "n4", { kind: "idea" });
    const keys = (response: { items: { key: string }[] }) => response.items.map((item) => item.key).sort();

    expect(keys(await ann.store.searchItems(["notes"]))).toEqual(["n1", "n2", "n3"]);
    expect(keys(await ann.store.searchItems(["notes"], { filter: { kind: "idea" } }))).toEqual(["n1", "n2"]);
    expect(keys(await ann.store.searchItems(["notes"], { filter: { score: { $gt: 2 } } }))).toEqual(["n2", "n3"]);
    expect(keys(await ann.store.searchItems(["notes", "work"]))).toEqual(["n2", "n3"]);
    expect(keys(await ann.store.searchItems(["notes"], { query: "boat" }))).toEqual(["n1"]);
    const first = await ann.store.searchItems(["notes"], { limit: 2 });
    const second = await ann.store.searchItems(["notes"], { limit: 2, offset: 2 });
    expect(first.items).toHaveLength(2);
    expect([...keys(first), ...keys(second)].sort()).toEqual(["n1", "n2", "n3"]);
    expect(first.items[0]).toMatchObject({ namespace: expect.any(Array) as string[], created_at: expect.any(String) as string, updated_at: expect.any(String) as string });
  });

  it("listNamespaces: prefix, suffix and max_depth", async () => {
    await ann.store.putItem(["tree", "a", "x"], "k", {});
    await ann.store.putItem(["tree", "a", "y"], "k", {});
    await ann.store.putItem(["tree", "b"], "k", {});
    expect((await ann.store.listNamespaces({ prefix: ["tree"] })).namespaces).toEqual([["tree", "a", "x"], ["tree", "a", "y"], ["tree", "b"]]);
    expect((await ann.store.listNamespaces({ prefix: ["tree"], maxDepth: 2 })).namespaces).toEqual([["tree", "a"], ["tree", "b"]]);
    expect((await ann.store.listNamespaces({ suffix: ["y"] })).namespaces).toEqual([["tree", "a", "y"]]);
    expect((await ann.store.listNamespaces({ prefix: ["tree"], limit: 1, offset: 1 })).namespaces).toEqual([["tree", "a", "y"]]);
  });

  it("deleteItem removes the item (and deleting it again is fine)", async () => {
    await ann.store.putItem(["trash"], "gone", { v: 1 });
    await ann.store.deleteItem(["trash"], "gone");
    expect(await ann.store.getItem(["trash"], "gone")).toBeNull();
    await ann.store.deleteItem(["trash"], "gone");
  });

  it("ttl (minutes): the item expires; a read refreshes its expiry", async () => {
    await ann.store.putItem(["short"], "lived", { v: 1 }, { ttl: 5 });
    const expiry = async () => (await server.services.pool.query<{ expires_at: Date }>("SELECT expires_at FROM store_items WHERE owner_id = 'ann' AND key = 'lived'")).rows[0]?.expires_at;
    const written = await expiry();
    expect(written!.getTime()).toBeGreaterThan(Date.now() + 4 * 60_000);
    await server.services.pool.query("UPDATE store_items SET expires_at = now() + interval '10 seconds' WHERE owner_id = 'ann' AND key = 'lived'");
    expect(await ann.store.getItem(["short"], "lived", { refreshTtl: false })).not.toBeNull();
    expect((await expiry())!.getTime()).toBeLessThan(Date.now() + 60_000);
    expect(await ann.store.getItem(["short"], "lived")).not.toBeNull();
    expect((await expiry())!.getTime()).toBeGreaterThan(Date.now() + 4 * 60_000);
    await server.services.pool.query("UPDATE store_items SET expires_at = now() - interval '1 second' WHERE owner_id = 'ann' AND key = 'lived'");
    expect(await ann.store.getItem(["short"], "lived")).toBeNull();
    expect((await ann.store.searchItems(["short"])).items).toEqual([]);
  });
});

describe("two users never see each other's items", () => {
  it("same namespace and key, separate items; get, search, list and delete stay within the caller's", async () => {
    await ann.store.putItem(["shared", "name"], "diary", { secret: "ann's" });
    expect(await ben.store.getItem(["shared", "name"], "diary")).toBeNull();
    expect((await ben.store.searchItems([])).items).toEqual([]);
    expect((await ben.store.searchItems(["shared"], { query: "ann" })).items).toEqual([]);
    expect((await ben.store.listNamespaces()).namespaces).toEqual([]);

    await ben.store.deleteItem(["shared", "name"], "diary");
    expect((await ann.store.getItem(["shared", "name"], "diary"))?.value).toEqual({ secret: "ann's" });

    await ben.store.putItem(["shared", "name"], "diary", { secret: "ben's" });
    expect((await ben.store.getItem(["shared", "name"], "diary"))?.value).toEqual({ secret: "ben's" });
    expect((await ann.store.getItem(["shared", "name"], "diary"))?.value).toEqual({ secret: "ann's" });
    expect((await ben.store.listNamespaces()).namespaces).toEqual([["shared", "name"]]);
    // Exactly ben's item, under the namespace he named: no owner label to strip, nothing of ann's.
    expect((await ben.store.searchItems([])).items.map((item) => [item.namespace, item.value])).toEqual([[["shared", "name"], { secret: "ben's" }]]);
  });
});

describe("bad input is refused with 400 invalid_request naming the problem", () => {
  const cases: [string, string, string, unknown, RegExp][] = [
    ["an empty namespace", "PUT", "/store/items", { namespace: [], key: "k", value: {} }, /namespace: Namespace is required/],
    ["a label with a dot", "PUT", "/store/items", { namespace: ["a.b"], key: "k", value: {} }, /periods/],
    ["an empty label", "PUT", "/store/items", { namespace: ["a", ""], key: "k", value: {} }, /empty/],
    ["a string value", "PUT", "/store/items", { namespace: ["a"], key: "k", value: "text" }, /value: value must be a JSON object/],
    ["an array value", "PUT", "/store/items", { namespace: ["a"], key: "k", value: [1] }, /value must be a JSON object/],
    ["a missing key", "PUT", "/store/items", { namespace: ["a"], value: {} }, /key/],
    ["a negative ttl", "PUT", "/store/items", { namespace: ["a"], key: "k", value: {}, ttl: -1 }, /ttl/],
    ["an unknown filter operator", "POST", "/store/items/search", { namespace_prefix: ["a"], filter: { x: { $like: "y" } } }, /unknown operator \$like/],
    ["a limit of 0", "POST", "/store/items/search", { namespace_prefix: ["a"], limit: 0 }, /limit/],
    ["a max_depth of 0", "POST", "/store/namespaces", { max_depth: 0 }, /max_depth/],
    ["a delete without namespace", "DELETE", "/store/items", { key: "k" }, /namespace/],
  ];
  it.each(cases)("%s", async (_name, method, route, body, message) => {
    const answer = await raw(method, route, body);
    expect(answer.status).toBe(400);
    expect(answer.body.code).toBe("invalid_request");
    expect(answer.body.message).toMatch(message);
  });

  it("getItem without a key, or with an empty namespace", async () => {
    expect((await raw("GET", "/store/items?namespace=a")).body).toMatchObject({ code: "invalid_request", message: expect.stringMatching(/key/) as string });
    expect((await raw("GET", "/store/items?namespace=&key=k")).status).toBe(400);
  });

  it("an unauthenticated request is 401", async () => {
    const response = await fetch(`${server.url}/store/items/search`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    expect(response.status).toBe(401);
  });
});

describe("graph runs get their user's store", () => {
  it("a node's getStore() reads and writes only the run's user's items", async () => {
    await ann.store.putItem(["profile"], "name", { name: "Ann" });
    await ben.store.putItem(["profile"], "name", { name: "Ben" });
    const reply = async (client: Client, text: string) => {
      const thread = await client.threads.create({ graphId: "recall" });
      const values = (await client.runs.wait(thread.thread_id, "recall", { input: { messages: [{ role: "user", content: text }] } })) as { messages: { content: string }[] };
      return values.messages.at(-1)?.content;
    };
    expect(await reply(ann, "who am I?")).toBe("name: Ann");
    expect(await reply(ben, "and me?")).toBe("name: Ben");
    expect((await ann.store.getItem(["recall"], "last"))?.value).toEqual({ text: "who am I?" });
    expect((await ben.store.getItem(["recall"], "last"))?.value).toEqual({ text: "and me?" });
  });
});
