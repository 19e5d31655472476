import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningServer } from "../../src/app.js";
import type { RunningSummary } from "../../src/memory/running-summary.js";
import type { SearchHit } from "../../src/transcript/transcript-search.js";
import { METHOD_MODULES } from "../../src/ws/method-modules.js";
import { SEARCH_METHODS } from "../../src/ws/search-methods.js";
import type { ClientConnection } from "../../src/ws/client-connection.js";
import { createTempDir } from "../helpers/test-database.js";
import { startTestServer } from "../helpers/test-server.js";
import { chat, TestWsClient } from "../helpers/ws-client.js";
import { canonicalConversation, longConversation } from "../transcript/conversation-fixture.js";

// The embedded database end to end (the storage spec covers search on real Postgres too).
let directory: { path: string } & AsyncDisposable;
let server: RunningServer;
let aliceKey: string;
let bobKey: string;
let aliceThread: string;

/** What alice says, turn by turn: English, Chinese and mixed, long enough to fold under the fake model's budget. */
function aliceSays(turn: number): string {
  const padding = " We keep talking so that the working context fills up and older turns get folded.".repeat(4);
  if (turn === 0) return `My favourite mountain is Huangshan and my project codename is Falcon.${padding}`;
  if (turn === 1) return `今天北京的天气预报说会下雨，我们去黄山的计划要推迟。${padding}`;
  if (turn === 2) return `Mixed: PostgreSQL 的 pg_trgm 扩展可以做中文搜索.${padding}`;
  return `Turn ${turn}: more small talk about nothing in particular.${padding}`;
}

async function post<T>(path: string, token: string, body: unknown): Promise<{ status: number; body: T }> {
  const response = await fetch(`${server.url}${path}`, { method: "POST", headers: { "Content-Type": "application/json", Authorization: `Bearer ${token}` }, body: JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as T };
}

beforeAll(async () => {
  directory = await createTempDir();
  server = await startTestServer({ dataDir: directory.path, env: { AUTH_MODE: "apikey", RATE_LIMIT_PER_MINUTE: 100_000 } });
  aliceKey = (await server.services.apiKeys.create("alice")).key;
  bobKey = (await server.services.apiKeys.create("bob")).key;
  await using alice = await TestWsClient.connect(server.wsUrl, { token: aliceKey });
  aliceThread = (await alice.call<{ thread_id: string }>("thread.open", { title: "Travel plans" })).thread_id;
  for (let turn = 0; turn < 24; turn += 1) {
    const { final } = await chat(alice, aliceThread, aliceSays(turn));
    expect(final.event).toBe("run.completed");
  }
}, 240_000);

afterAll(async () => {
  await server?.close();
  await directory?.[Symbol.asyncDispose]();
});

describe("a long chat on the embedded database", () => {
  it("folded older turns into the summary while the transcript kept every message", async () => {
    await using alice = await TestWsClient.connect(server.wsUrl, { token: aliceKey });
    const state = await alice.call<{ values: { messages: { content: string }[]; summary?: RunningSummary } }>("state.get", { thread_id: aliceThread });
    expect(state.values.summary?.message_count).toBeGreaterThan(0);
    expect(state.values.summary?.text).toMatch(/^\d+ earlier messages, oldest first/);
    expect(state.values.summary?.text).toContain("- assistant: You said: Turn");
    expect(state.values.summary?.message_count ?? 0).toBe(48 - state.values.messages.length);
    const all: { role: string; content: string }[] = [];
    let before: number | undefined;
    for (;;) {
      const page: { messages: { role: string; content: string }[]; next_before: number | null } = await alice.call("messages.list", { thread_id: aliceThread, limit: 10, before });
      all.unshift(...page.messages);
      if (page.next_before === null) break;
      before = page.next_before;
    }
    expect(all).toHaveLength(48);
    expect(all.every((message) => message.role === "user" || message.role === "assistant")).toBe(true);
    expect(all[0]?.content).toBe(aliceSays(0));
  });
});

describe("search (HTTP)", () => {
  it("finds English, Chinese and mixed queries across the caller's threads, folded messages included", async () => {
    const english = await post<{ results: SearchHit[] }>("/messages/search", aliceKey, { query: "Huangshan Falcon" });
    expect(english.status).toBe(200);
    // The user's message and the fake model's echo of it, both folded out of the working context long ago.
    expect(english.body.results.map((hit) => hit.content).sort()).toEqual([aliceSays(0), `You said: ${aliceSays(0)}`]);
    expect(english.body.results[0]).toMatchObject({ thread_id: aliceThread, thread_title: "Travel plans", match: "text" });
    const chinese = await post<{ results: SearchHit[] }>("/messages/search", aliceKey, { query: "天气预报", limit: 1 });
    expect(chinese.body.results).toHaveLength(1);
    expect(chinese.body.results[0]?.snippet).toContain("天气预报");
    const mixed = await post<{ results: SearchHit[] }>(`/threads/${aliceThread}/messages/search`, aliceKey, { query: "pg_trgm 中文搜索" });
    expect(mixed.body.results.map((hit) => hit.content).sort()).toEqual([aliceSays(2), `You said: ${aliceSays(2)}`]);
  });

  it("answers another user's thread with not_found and never returns their messages", async () => {
    expect((await post<{ results: SearchHit[] }>("/messages/search", bobKey, { query: "天气预报" })).body.results).toEqual([]);
    expect((await post<{ results: SearchHit[] }>("/messages/search", bobKey, { query: "Falcon", thread_ids: [aliceThread] })).body.results).toEqual([]);
    expect((await post<{ code: string }>(`/threads/${aliceThread}/messages/search`, bobKey, { query: "Falcon" })).status).toBe(404);
    const exported = await fetch(`${server.url}/threads/${aliceThread}/export`, { headers: { Authorization: `Bearer ${bobKey}` } });
    expect(exported.status).toBe(404);
  });

  it("validates the request", async () => {
    expect((await post<{ code: string }>("/messages/search", aliceKey, { query: "" })).body.code).toBe("invalid_request");
    expect((await post<{ code: string }>("/messages/search", aliceKey, { query: "x", limit: 1000 })).body.code).toBe("invalid_request");
    expect((await post<{ code: string }>("/messages/search", aliceKey, { query: "x", thread_ids: ["nope"] })).body.code).toBe("invalid_request");
  });
});

describe("messages.search (WebSocket method module)", () => {
  it("searches the connection's user's threads", async () => {
    const params = SEARCH_METHODS.params["messages.search"]?.parse({ query: "天气" }) as never;
    const direct = (await SEARCH_METHODS.handlers["messages.search"]?.({ user: { id: "alice" } } as ClientConnection, params, server.services)) as { results: SearchHit[] };
    expect(direct.results.map((hit) => [hit.thread_id, hit.content])).toContainEqual([aliceThread, aliceSays(1)]);
    const asBob = (await SEARCH_METHODS.handlers["messages.search"]?.({ user: { id: "bob" } } as ClientConnection, params, server.services)) as { results: SearchHit[] };
    expect(asBob.results).toEqual([]);
  });

  it.runIf(METHOD_MODULES.includes(SEARCH_METHODS))("is served over the socket once registered in METHOD_MODULES", async () => {
    await using alice = await TestWsClient.connect(server.wsUrl, { token: aliceKey });
    const answer = await alice.call<{ results: SearchHit[] }>("messages.search", { query: "Falcon", thread_ids: [aliceThread], limit: 5 });
    expect(answer.results[0]?.thread_id).toBe(aliceThread);
  });
});

describe("import and export on the embedded database", () => {
  it("imports, searches and round-trips a conversation", async () => {
    const headers = { Authorization: `Bearer ${aliceKey}`, "Content-Type": "application/x-ndjson" };
    const small = await fetch(`${server.url}/threads/import?title=Imported`, { method: "POST", headers, body: canonicalConversation() });
    expect(small.status).toBe(201);
    const { thread_id: threadId } = (await small.json()) as { thread_id: string };
    const exported = await fetch(`${server.url}/threads/${threadId}/export`, { headers: { Authorization: `Bearer ${aliceKey}` } });
    expect(await exported.text()).toBe(canonicalConversation());
    const hits = await post<{ results: SearchHit[] }>(`/threads/${threadId}/messages/search`, aliceKey, { query: "带伞" });
    expect(hits.body.results.map((hit) => hit.content)).toEqual(["6*7 = 42。明天北京有雨，记得带伞。"]);
    const long = await fetch(`${server.url}/threads/import`, { method: "POST", headers, body: longConversation(1000) });
    expect(long.status).toBe(201);
    const result = (await long.json()) as { turns: number; folds: number; turns_per_second: number; thread_id: string };
    expect(result).toMatchObject({ turns: 1000 });
    expect(result.folds).toBeGreaterThan(0);
    const found = await post<{ results: SearchHit[] }>(`/threads/${result.thread_id}/messages/search`, aliceKey, { query: "第501轮" });
    expect(found.body.results.map((hit) => hit.content)).toEqual(["第501轮：我们讨论了天气和数据库索引，编号 501。"]);
    // Into one of alice's own assistants: the import's one transaction holds the embedded database's only
    // connection, so nothing inside it may ask the pool for another (the assistant is read before it begins).
    const assistant = await post<{ assistant_id: string }>("/assistants", aliceKey, { graph_id: "chat", name: "Historian", context: { tools: [] } });
    const own = await fetch(`${server.url}/threads/import?assistant_id=${assistant.body.assistant_id}`, { method: "POST", headers, body: canonicalConversation() });
    expect(own.status).toBe(201);
    expect(((await own.json()) as { thread: { assistant_id: string } }).thread.assistant_id).toBe(assistant.body.assistant_id);
  });
});
