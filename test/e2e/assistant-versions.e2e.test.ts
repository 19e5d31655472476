import { type Assistant, Client } from "@langchain/langgraph-sdk";
import { runner } from "node-pg-migrate";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningServer } from "../../src/app.js";
import { MIGRATIONS_DIR } from "../../src/db/migrate.js";
import { createTempDir, createTestDatabase, type TestDatabase } from "../helpers/test-database.js";
import { sdkUser } from "../helpers/sdk-user.js";
import { startTestServer } from "../helpers/test-server.js";

// The SDK's assistants.getVersions and setLatest through the official client against a real server: every create
// and update is a version, setLatest makes an older one current (reads and runs use it), scoped to the caller.

interface State {
  messages: { type: string; content: string }[];
}

const human = (content: string) => ({ messages: [{ role: "human", content }] });

/** A client of a server without auth (AUTH_MODE none: the local user). */
function localClient(server: RunningServer): Client<State> {
  return new Client<State>({ apiUrl: server.url, apiKey: null });
}

/** The first message of a run of the assistant on a new thread: the `first_message` of the version it ran. */
async function openingOfARun(client: Client<State>, assistantId: string): Promise<string | undefined> {
  const thread = await client.threads.create();
  const values = (await client.runs.wait(thread.thread_id, assistantId, { input: human("hello") })) as unknown as State;
  return values.messages[0]?.content;
}

describe("assistants.getVersions and setLatest on Postgres (two users)", () => {
  let database: TestDatabase;
  let server: RunningServer;
  let alice: Client<State>;
  let bob: Client<State>;
  let aliceKey: string;
  let bobKey: string;
  let guide: Assistant;

  beforeAll(async () => {
    database = await createTestDatabase();
    server = await startTestServer({ databaseUrl: database.url, env: { AUTH_MODE: "apikey" } });
    ({ client: alice, key: aliceKey } = await sdkUser<State>(server, "alice"));
    ({ client: bob, key: bobKey } = await sdkUser<State>(server, "bob"));
  });
  afterAll(async () => {
    await server.close();
    await database.drop();
  });

  /** A raw request, for statuses and bodies the SDK would not send. */
  async function request(key: string, path: string, body: unknown): Promise<{ status: number; body: { code?: string; message?: string } }> {
    const response = await fetch(`${server.url}${path}`, { method: "POST", headers: { Authorization: `Bearer ${key}`, "Content-Type": "application/json" }, body: JSON.stringify(body) });
    return { status: response.status, body: (await response.json()) as { code?: string; message?: string } };
  }

  it("lists every version of a created and twice updated assistant, newest first, filtered by metadata and paged", async () => {
    guide = await alice.assistants.create({ graphId: "chat", name: "Guide", context: { first_message: "Version one speaking" }, metadata: { stage: "draft" } });
    const second = await alice.assistants.update(guide.assistant_id, { name: "Guide 2", context: { first_message: "Version two speaking" }, metadata: { stage: "review" } });
    const third = await alice.assistants.update(guide.assistant_id, { context: { first_message: "Version three speaking", tools: ["calculator"] }, metadata: { approved: true } });
    expect([guide.version, second.version, third.version]).toEqual([1, 2, 3]);

    const versions = await alice.assistants.getVersions(guide.assistant_id);
    expect(versions.map((version) => version.version)).toEqual([3, 2, 1]);
    // LangGraph's AssistantVersion: the whole assistant as that version set it, dated when it was written.
    expect(versions[2]).toEqual({
      assistant_id: guide.assistant_id,
      graph_id: "chat",
      name: "Guide",
      description: null,
      config: {},
      context: { first_message: "Version one speaking" },
      metadata: { stage: "draft" },
      version: 1,
      created_at: guide.updated_at,
    });
    expect(versions[1]).toMatchObject({ name: "Guide 2", metadata: { stage: "review" }, created_at: second.updated_at });
    // An update merges metadata and settings into the current ones: the version holds the result.
    expect(versions[0]).toMatchObject({ name: "Guide 2", context: { first_message: "Version three speaking", tools: ["calculator"] }, metadata: { stage: "review", approved: true } });

    const versionsOf = async (payload: Parameters<Client["assistants"]["getVersions"]>[1]) => (await alice.assistants.getVersions(guide.assistant_id, payload)).map((version) => version.version);
    expect(await versionsOf({ metadata: { stage: "review" } })).toEqual([3, 2]);
    expect(await versionsOf({ metadata: { approved: true } })).toEqual([3]);
    expect(await versionsOf({ metadata: { stage: "shipped" } })).toEqual([]);
    expect(await versionsOf({ limit: 1, offset: 1 })).toEqual([2]);
    expect(await versionsOf({ limit: 2 })).toEqual([3, 2]);
    expect(await versionsOf({ offset: 3 })).toEqual([]);
  });

  it("setLatest makes an older version current: get and runs use it, and the next update is numbered after the highest", async () => {
    expect(await openingOfARun(alice, guide.assistant_id)).toBe("Version three speaking");

    const restored = await alice.assistants.setLatest(guide.assistant_id, 1);
    const versionOne = { assistant_id: guide.assistant_id, version: 1, name: "Guide", context: { first_message: "Version one speaking" }, metadata: { stage: "draft" } };
    expect(restored).toMatchObject(versionOne);
    expect(restored.updated_at > guide.updated_at).toBe(true);
    expect(await alice.assistants.get(guide.assistant_id)).toMatchObject(versionOne);
    expect(await openingOfARun(alice, guide.assistant_id)).toBe("Version one speaking");
    // No version is made or lost.
    expect((await alice.assistants.getVersions(guide.assistant_id)).map((version) => version.version)).toEqual([3, 2, 1]);

    const fourth = await alice.assistants.update(guide.assistant_id, { name: "Guide 4" });
    expect(fourth).toMatchObject({ version: 4, name: "Guide 4", context: { first_message: "Version one speaking" }, metadata: { stage: "draft" } });
    expect((await alice.assistants.getVersions(guide.assistant_id)).map((version) => version.version)).toEqual([4, 3, 2, 1]);
    expect(await alice.assistants.setLatest(guide.assistant_id, 3)).toMatchObject({ version: 3, name: "Guide 2", metadata: { stage: "review", approved: true } });
  });

  it("answers 404 for another user's assistant, an unknown one and an unknown version, and changes nothing", async () => {
    const before = await alice.assistants.get(guide.assistant_id);
    for (const [key, path, body] of [
      [bobKey, `/assistants/${guide.assistant_id}/versions`, {}],
      [bobKey, `/assistants/${guide.assistant_id}/latest`, { version: 1 }],
      [aliceKey, "/assistants/00000000-0000-4000-8000-000000000000/versions", {}],
      [aliceKey, "/assistants/00000000-0000-4000-8000-000000000000/latest", { version: 1 }],
      [aliceKey, "/assistants/not-an-id/versions", {}],
      [aliceKey, `/assistants/${guide.assistant_id}/latest`, { version: 99 }],
    ] as const) {
      const answer = await request(key, path, body);
      expect(answer, `${path} ${JSON.stringify(body)}`).toMatchObject({ status: 404, body: { code: "not_found" } });
    }
    await expect(bob.assistants.getVersions(guide.assistant_id)).rejects.toThrow(/404/);
    await expect(bob.assistants.setLatest(guide.assistant_id, 1)).rejects.toThrow(/404/);
    expect(await alice.assistants.get(guide.assistant_id)).toEqual(before);

    for (const [path, body] of [
      [`/assistants/${guide.assistant_id}/latest`, { version: 0 }],
      [`/assistants/${guide.assistant_id}/latest`, { version: "1" }],
      [`/assistants/${guide.assistant_id}/latest`, {}],
      [`/assistants/${guide.assistant_id}/versions`, { limit: 0 }],
      [`/assistants/${guide.assistant_id}/versions`, { metadata: "stage" }],
    ] as const) {
      expect(await request(aliceKey, path, body), `${path} ${JSON.stringify(body)}`).toMatchObject({ status: 400, body: { code: "invalid_request" } });
    }
  });

  it("a graph's default assistant has one version, the current one", async () => {
    const versions = await alice.assistants.getVersions("chat");
    expect(versions).toEqual([expect.objectContaining({ assistant_id: "chat", graph_id: "chat", version: 1, metadata: { created_by: "system" } })]);
    expect(versions[0]).not.toHaveProperty("updated_at");
    // As in search: a metadata filter leaves the defaults out.
    expect(await alice.assistants.getVersions("chat", { metadata: { created_by: "system" } })).toEqual([]);
    expect(await alice.assistants.setLatest("chat", 1)).toEqual(await alice.assistants.get("chat"));
    expect(await request(aliceKey, "/assistants/chat/latest", { version: 2 })).toMatchObject({ status: 404, body: { code: "not_found" } });
  });

  it("concurrent updates each make a version of their own", async () => {
    const busy = await alice.assistants.create({ graphId: "chat", name: "Busy" });
    const updated = await Promise.all(Array.from({ length: 6 }, (_, index) => alice.assistants.update(busy.assistant_id, { metadata: { [`editor${index}`]: true } })));
    expect(updated.map((assistant) => assistant.version).sort((left, right) => left - right)).toEqual([2, 3, 4, 5, 6, 7]);
    expect((await alice.assistants.getVersions(busy.assistant_id)).map((version) => version.version)).toEqual([7, 6, 5, 4, 3, 2, 1]);
  });

  it("two concurrent PATCHes of different fields both take effect, and each is stored as the version it answered", async () => {
    for (let round = 0; round < 5; round += 1) {
      const shared = await alice.assistants.create({ graphId: "chat", name: "Shared", context: { instructions: "plain" } });
      const updates = await Promise.all([
        alice.assistants.update(shared.assistant_id, { name: `Renamed ${round}` }),
        alice.assistants.update(shared.assistant_id, { context: { instructions: `Be brief ${round}` } }),
      ]);
      expect(await alice.assistants.get(shared.assistant_id)).toMatchObject({ name: `Renamed ${round}`, context: { instructions: `Be brief ${round}` }, version: 3 });
      expect(updates.map((updated) => updated.version).sort()).toEqual([2, 3]);
      const versions = await alice.assistants.getVersions(shared.assistant_id);
      expect(versions.map((version) => version.version)).toEqual([3, 2, 1]);
      for (const updated of updates) {
        expect(versions.find((version) => version.version === updated.version)).toMatchObject({ name: updated.name, context: updated.context, config: updated.config });
      }
    }
  });

  it("two concurrent settings changes of different keys both take effect: the later is checked again on the earlier's", async () => {
    for (let round = 0; round < 5; round += 1) {
      const shared = await alice.assistants.create({ graphId: "chat", name: "Settings", context: { instructions: "plain" } });
      await Promise.all([
        alice.assistants.update(shared.assistant_id, { context: { instructions: `Be brief ${round}` } }),
        alice.assistants.update(shared.assistant_id, { config: { configurable: { first_message: `Hello ${round}` } } }),
      ]);
      const now = await alice.assistants.get(shared.assistant_id);
      expect(now).toMatchObject({ version: 3, context: { instructions: `Be brief ${round}`, first_message: `Hello ${round}` }, config: { configurable: { first_message: `Hello ${round}` } } });
      expect((await alice.assistants.getVersions(shared.assistant_id))[0]).toMatchObject({ version: 3, context: now.context });
    }
  });

  it("config.configurable never contradicts the settings in force: a setting it names follows context's changes", async () => {
    const created = await alice.assistants.create({ graphId: "chat", config: { configurable: { tools: ["calculator"], team: "blue" } }, context: { temperature: 0.5 } });
    expect(created.config.configurable).toEqual({ tools: ["calculator"], team: "blue" });
    const updated = await alice.assistants.update(created.assistant_id, { context: { tools: ["get_current_time"] } });
    expect(updated.context).toMatchObject({ tools: ["get_current_time"], temperature: 0.5 });
    expect(updated.config.configurable).toEqual({ tools: ["get_current_time"], team: "blue" });
    // A setting removed (null) leaves configurable too; keys that are no setting stay as given.
    const removed = await alice.assistants.update(created.assistant_id, { context: { tools: null } });
    expect(removed.context).not.toHaveProperty("tools");
    expect(removed.config.configurable).toEqual({ team: "blue" });
    // Given both ways at once, context wins, and configurable says so.
    const both = await alice.assistants.create({ graphId: "chat", config: { configurable: { temperature: 0.9 } }, context: { temperature: 0.2 } });
    expect(both.config.configurable).toEqual({ temperature: 0.2 });
    expect((await alice.assistants.get(both.assistant_id)).context).toMatchObject({ temperature: 0.2 });
  });

  it("deleting an assistant deletes its versions", async () => {
    const doomed = await alice.assistants.create({ graphId: "chat", name: "Doomed" });
    await alice.assistants.update(doomed.assistant_id, { name: "Doomed 2" });
    await alice.assistants.delete(doomed.assistant_id);
    await expect(alice.assistants.getVersions(doomed.assistant_id)).rejects.toThrow(/404/);
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ count: number }>("SELECT count(*)::int AS count FROM assistant_versions WHERE assistant_id = $1", [doomed.assistant_id]);
      expect(rows[0]?.count).toBe(0);
    } finally {
      await client.end();
    }
  });
});

describe("setLatest to a version the server can no longer run", () => {
  it("is refused with 400 invalid_request, and the assistant stays as it was", async () => {
    await using database = await createTestDatabase();
    // Version 1 runs on OpenAI, while the server has a key; version 2 on the fake model.
    const withKey = await startTestServer({ databaseUrl: database.url, env: { OPENAI_API_KEY: "sk-test-assistant-versions" } });
    let assistantId: string;
    try {
      const client = localClient(withKey);
      const created = await client.assistants.create({ graphId: "chat", context: { model: "openai:gpt-4o-mini", first_message: "On OpenAI" } });
      await client.assistants.update(created.assistant_id, { context: { model: "fake", first_message: "On the fake model" } });
      assistantId = created.assistant_id;
    } finally {
      await withKey.close();
    }

    // The key is gone: version 1 would fail every run.
    const withoutKey = await startTestServer({ databaseUrl: database.url });
    try {
      const client = localClient(withoutKey);
      const response = await fetch(`${withoutKey.url}/assistants/${assistantId}/latest`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ version: 1 }) });
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ code: "invalid_request", message: expect.stringContaining("needs OPENAI_API_KEY") as string });
      expect(await client.assistants.get(assistantId)).toMatchObject({ version: 2, context: { model: "fake", first_message: "On the fake model" } });
      expect((await client.assistants.getVersions(assistantId)).map((version) => version.version)).toEqual([2, 1]);
      expect(await openingOfARun(client, assistantId)).toBe("On the fake model");
    } finally {
      await withoutKey.close();
    }
  });
});

describe("migration 015", () => {
  it("lists an assistant created before it at its current version, and numbers the next update after it", async () => {
    await using database = await createTestDatabase();
    // The schema as it was before 015, with an assistant updated twice (its earlier states were overwritten).
    await runner({ databaseUrl: database.url, dir: MIGRATIONS_DIR, direction: "up", count: 14, migrationsTable: "threadline_migrations", log: () => undefined });
    const legacyId = "00000000-0000-4000-8000-000000000015";
    const admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
    try {
      await admin.query(
        `INSERT INTO assistants (assistant_id, owner_id, graph_id, name, context, metadata, version, created_at, updated_at)
         VALUES ($1, 'local', 'chat', 'Legacy', '{"first_message": "Legacy speaking"}', '{"origin": "before 015"}', 3, '2024-01-01T00:00:00Z', '2024-05-01T00:00:00Z')`,
        [legacyId],
      );
    } finally {
      await admin.end();
    }

    const server = await startTestServer({ databaseUrl: database.url });
    try {
      const client = localClient(server);
      expect(await client.assistants.getVersions(legacyId)).toEqual([
        {
          assistant_id: legacyId,
          graph_id: "chat",
          name: "Legacy",
          description: null,
          config: {},
          context: { first_message: "Legacy speaking" },
          metadata: { origin: "before 015" },
          version: 3,
          created_at: "2024-05-01T00:00:00.000Z",
        },
      ]);
      expect(await client.assistants.update(legacyId, { name: "Legacy, updated" })).toMatchObject({ version: 4 });
      expect(await client.assistants.setLatest(legacyId, 3)).toMatchObject({ version: 3, name: "Legacy" });
      expect(await openingOfARun(client, legacyId)).toBe("Legacy speaking");
      expect((await client.assistants.getVersions(legacyId)).map((version) => version.version)).toEqual([4, 3]);
    } finally {
      await server.close();
    }
  });
});

describe("assistant versions on embedded PGlite", () => {
  it("create, update, getVersions and setLatest, and a run uses the restored version", async () => {
    await using directory = await createTempDir();
    const server = await startTestServer({ dataDir: directory.path });
    try {
      const client = localClient(server);
      const created = await client.assistants.create({ graphId: "chat", name: "Embedded", context: { first_message: "First" }, metadata: { kind: "embedded" } });
      await client.assistants.update(created.assistant_id, { context: { first_message: "Second" } });
      expect((await client.assistants.getVersions(created.assistant_id, { metadata: { kind: "embedded" } })).map((version) => version.version)).toEqual([2, 1]);
      expect(await client.assistants.setLatest(created.assistant_id, 1)).toMatchObject({ version: 1, context: { first_message: "First" } });
      expect(await openingOfARun(client, created.assistant_id)).toBe("First");
      await expect(client.assistants.setLatest(created.assistant_id, 7)).rejects.toThrow(/404/);
    } finally {
      await server.close();
    }
  });
});
