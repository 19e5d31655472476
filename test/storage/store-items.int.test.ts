import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ItemStore } from "../../src/store/item-store.js";
import { UserStore } from "../../src/store/user-store.js";
import { type StorageBackend, STORAGE_BACKENDS } from "./storage-backends.js";

// The long-term store on every database kind: the same statements run on Postgres and on embedded PGlite.
describe.each(STORAGE_BACKENDS)("store items on $name", (kind) => {
  let backend: StorageBackend;
  let items: ItemStore;

  beforeAll(async () => {
    backend = await kind.open();
    items = new ItemStore(backend.pool);
  });
  afterAll(async () => {
    await backend.dispose();
  });

  it("puts, gets, replaces and deletes an item of one owner", async () => {
    const address = { ownerId: "ann", namespace: ["memories", "ann"], key: "food" };
    await items.put({ ...address, value: { likes: "coffee" } });
    const first = await items.get(address);
    expect(first).toMatchObject({ namespace: ["memories", "ann"], key: "food", value: { likes: "coffee" } });
    await items.put({ ...address, value: { likes: "tea" } });
    const second = await items.get(address);
    expect(second?.value).toEqual({ likes: "tea" });
    expect(second?.createdAt).toEqual(first?.createdAt);
    expect(second!.updatedAt.getTime()).toBeGreaterThanOrEqual(first!.updatedAt.getTime());
    expect(await items.get({ ...address, ownerId: "ben" })).toBeNull();
    await items.delete({ ...address, ownerId: "ben" });
    expect(await items.get(address)).not.toBeNull();
    await items.delete(address);
    expect(await items.get(address)).toBeNull();
  });

  it("searches whole-label prefixes with filters, a text query, limit and offset", async () => {
    const put = (namespace: string[], key: string, value: Record<string, unknown>) => items.put({ ownerId: "cat", namespace, key, value });
    await put(["docs"], "a", { kind: "note", rank: 1, text: "Coffee at nine" });
    await put(["docs", "work"], "b", { kind: "note", rank: 5, text: "Standup at ten" });
    await put(["docs", "work"], "c", { kind: "todo", rank: 3, tags: ["x"] });
    await put(["docsets"], "d", { kind: "note", rank: 2 });
    await items.put({ ownerId: "dan", namespace: ["docs"], key: "e", value: { kind: "note" } });

    const keys = async (search: Parameters<ItemStore["search"]>[0]) => (await items.search(search)).map((item) => item.key).sort();
    expect(await keys({ ownerId: "cat", namespacePrefix: ["docs"] })).toEqual(["a", "b", "c"]);
    expect(await keys({ ownerId: "cat", namespacePrefix: [] })).toEqual(["a", "b", "c", "d"]);
    expect(await keys({ ownerId: "cat", namespacePrefix: ["docs"], filter: { kind: "note" } })).toEqual(["a", "b"]);
    expect(await keys({ ownerId: "cat", namespacePrefix: [], filter: { rank: { $gte: 2, $lt: 5 } } })).toEqual(["c", "d"]);
    expect(await keys({ ownerId: "cat", namespacePrefix: [], filter: { kind: { $in: ["todo"] } } })).toEqual(["c"]);
    expect(await keys({ ownerId: "cat", namespacePrefix: [], filter: { kind: { $ne: "note" } } })).toEqual(["c"]);
    expect(await keys({ ownerId: "cat", namespacePrefix: [], filter: { tags: { $exists: true } } })).toEqual(["c"]);
    expect(await keys({ ownerId: "cat", namespacePrefix: [], filter: { tags: ["x"] } })).toEqual(["c"]);
    expect(await keys({ ownerId: "cat", namespacePrefix: [], filter: { rank: "1" } })).toEqual([]);
    expect(await keys({ ownerId: "cat", namespacePrefix: [], query: "COFFEE nine" })).toEqual(["a"]);
    expect(await keys({ ownerId: "cat", namespacePrefix: [], query: "coffee ten" })).toEqual([]);
    const all = await items.search({ ownerId: "cat", namespacePrefix: ["docs"], limit: 2 });
    const rest = await items.search({ ownerId: "cat", namespacePrefix: ["docs"], limit: 2, offset: 2 });
    expect([...all, ...rest].map((item) => item.key).sort()).toEqual(["a", "b", "c"]);
    expect(rest).toHaveLength(1);
  });

  it("lists namespaces by prefix, suffix (with * wildcards) and max depth", async () => {
    const put = (namespace: string[]) => items.put({ ownerId: "eve", namespace, key: "k", value: {} });
    await put(["a", "b", "c"]);
    await put(["a", "b", "d"]);
    await put(["a", "x"]);
    await put(["z"]);
    await items.put({ ownerId: "fay", namespace: ["a", "secret"], key: "k", value: {} });
    expect(await items.listNamespaces({ ownerId: "eve" })).toEqual([["a", "b", "c"], ["a", "b", "d"], ["a", "x"], ["z"]]);
    expect(await items.listNamespaces({ ownerId: "eve", prefix: ["a"], maxDepth: 2 })).toEqual([["a", "b"], ["a", "x"]]);
    expect(await items.listNamespaces({ ownerId: "eve", prefix: ["a", "*", "d"] })).toEqual([["a", "b", "d"]]);
    expect(await items.listNamespaces({ ownerId: "eve", suffix: ["c"] })).toEqual([["a", "b", "c"]]);
    expect(await items.listNamespaces({ ownerId: "eve", limit: 2, offset: 1 })).toEqual([["a", "b", "d"], ["a", "x"]]);
  });

  it("expires items after their TTL, refreshes it on read, and the sweep deletes them", async () => {
    const address = { ownerId: "gus", namespace: ["session"], key: "tmp" };
    await items.put({ ...address, value: { v: 1 }, ttlMinutes: 1 });
    await backend.pool.query("UPDATE store_items SET expires_at = now() + interval '2 seconds' WHERE owner_id = 'gus'");
    expect(await items.get({ ...address, refreshTtl: false })).not.toBeNull();
    const before = await expiry(backend, "gus");
    expect(await items.get(address)).not.toBeNull();
    expect((await expiry(backend, "gus")).getTime()).toBeGreaterThan(before.getTime() + 30_000);

    await backend.pool.query("UPDATE store_items SET expires_at = now() - interval '1 second' WHERE owner_id = 'gus'");
    expect(await items.get(address)).toBeNull();
    expect(await items.search({ ownerId: "gus", namespacePrefix: [] })).toEqual([]);
    expect(await items.listNamespaces({ ownerId: "gus" })).toEqual([]);
    expect(await items.deleteExpired()).toBeGreaterThanOrEqual(1);
    expect((await backend.pool.query("SELECT 1 FROM store_items WHERE owner_id = 'gus'")).rowCount).toBe(0);
  });

  it("a UserStore (what graphs get) reads and writes only its owner's items", async () => {
    const hal = new UserStore(items, "hal");
    const ivy = new UserStore(items, "ivy");
    await hal.put(["prefs"], "lang", { value: "fr" });
    await ivy.put(["prefs"], "lang", { value: "de" });
    expect((await hal.get(["prefs"], "lang"))?.value).toEqual({ value: "fr" });
    expect((await hal.search(["prefs"])).map((item) => item.value)).toEqual([{ value: "fr" }]);
    expect(await hal.listNamespaces()).toEqual([["prefs"]]);
    await hal.delete(["prefs"], "lang");
    expect(await hal.get(["prefs"], "lang")).toBeNull();
    expect((await ivy.get(["prefs"], "lang"))?.value).toEqual({ value: "de" });
    await expect(hal.put(["bad.label"], "k", {})).rejects.toThrow(/periods/);
  });
});

async function expiry(backend: StorageBackend, ownerId: string): Promise<Date> {
  const { rows } = await backend.pool.query<{ expires_at: Date }>("SELECT expires_at FROM store_items WHERE owner_id = $1", [ownerId]);
  return rows[0]!.expires_at;
}
