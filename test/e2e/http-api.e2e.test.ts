import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningServer } from "../../src/app.js";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database.js";
import { startTestServer } from "../helpers/test-server.js";
import { chat, TestWsClient } from "../helpers/ws-client.js";

let database: TestDatabase;
let server: RunningServer;

beforeAll(async () => {
  database = await createTestDatabase();
  server = await startTestServer({ databaseUrl: database.url });
});
afterAll(async () => {
  await server.close();
  await database.drop();
});

async function request<T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers: body === undefined ? undefined : { "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
}

describe("health", () => {
  it("GET /ok checks the database; GET /info describes the server", async () => {
    expect(await request("GET", "/ok")).toEqual({ status: 200, body: { ok: true } });
    const info = await request<{ name: string; database: string }>("GET", "/info");
    expect(info.body).toMatchObject({ name: "threadline", database: "postgres", auth_mode: "none" });
  });
});

describe("threads (LangGraph Platform shapes)", () => {
  it("create, get, patch, search, state, history, messages, delete", async () => {
    const created = await request<{ thread_id: string; status: string; metadata: Record<string, unknown> }>("POST", "/threads", {
      metadata: { project: "apollo" },
    });
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({ status: "idle", metadata: { project: "apollo", assistant_id: "chat" } });
    const threadId = created.body.thread_id;

    await using client = await TestWsClient.connect(server.wsUrl);
    await chat(client, threadId, "hello over http");
    await chat(client, threadId, '/tool calculator {"expression":"2+2"}');

    const thread = await request<{ values: { messages: { type: string; content: string }[] } }>("GET", `/threads/${threadId}`);
    expect(thread.body.values.messages.map((message) => message.type)).toEqual(["human", "ai", "human", "ai", "tool", "ai"]);

    const patched = await request<{ title: string; metadata: Record<string, unknown> }>("PATCH", `/threads/${threadId}`, {
      title: "Renamed",
      metadata: { stage: 2 },
    });
    expect(patched.body).toMatchObject({ title: "Renamed", metadata: { project: "apollo", stage: 2 } });

    const search = await request<{ thread_id: string }[]>("POST", "/threads/search", { metadata: { project: "apollo" } });
    expect(search.body.map((found) => found.thread_id)).toEqual([threadId]);
    const none = await request<unknown[]>("POST", "/threads/search", { metadata: { project: "gemini" } });
    expect(none.body).toEqual([]);

    const state = await request<{ next: string[]; checkpoint: { checkpoint_id: string }; values: { messages: unknown[] } }>(
      "GET",
      `/threads/${threadId}/state`,
    );
    expect(state.body.next).toEqual([]);
    expect(state.body.values.messages).toHaveLength(6);

    const history = await request<{ checkpoint: { checkpoint_id: string }; values: { messages?: unknown[] } }[]>("POST", `/threads/${threadId}/history`, {
      limit: 3,
    });
    expect(history.body).toHaveLength(3);
    expect(history.body[0]?.checkpoint.checkpoint_id).toBe(state.body.checkpoint.checkpoint_id);
    const older = await request<{ values: { messages?: unknown[] } }>("GET", `/threads/${threadId}/state/${history.body[2]?.checkpoint.checkpoint_id}`);
    expect(older.body.values.messages?.length).toBeLessThan(6);

    const page = await request<{ messages: { content: string }[]; next_before: number | null }>("GET", `/threads/${threadId}/messages?limit=2`);
    expect(page.body.messages.map((message) => message.content)).toEqual(["4", "Tool calculator returned: 4"]);
    const previous = await request<{ messages: unknown[] }>("GET", `/threads/${threadId}/messages?limit=10&before=${page.body.next_before}`);
    expect(previous.body.messages).toHaveLength(4);
    // Empty parameters (a form with blank fields, a client passing `next_before: null` as "") mean "not given".
    const blank = await request<{ messages: unknown[] }>("GET", `/threads/${threadId}/messages?limit=&before=`);
    expect(blank.status).toBe(200);
    expect(blank.body.messages).toHaveLength(6);
    expect((await request("GET", `/threads/${threadId}/messages?before=0`)).status).toBe(400);
    // Only decimal integers, and only these two parameters: a hex or exponent number is not read as another one, and
    // an unknown parameter (`after`, which WS messages.list refuses too) is not ignored to answer the newest page.
    for (const query of ["limit=2&after=3", "before=0x10", "limit=1e1", "limit=2.0", "limit=+2", "limit=2&limit=3"]) {
      const refused = await request<{ code: string; message: string }>("GET", `/threads/${threadId}/messages?${query}`);
      expect(refused.status, query).toBe(400);
      expect(refused.body.code, query).toBe("invalid_request");
    }
    expect((await request<{ message: string }>("GET", `/threads/${threadId}/messages?after=3`)).body.message).toMatch(/Unrecognized key: "after"/);
    expect((await request<{ message: string }>("GET", `/threads/${threadId}/messages?before=0x10`)).body.message).toMatch(/^Request did not match the expected shape: before: /);

    expect((await request("DELETE", `/threads/${threadId}`)).status).toBe(204);
    expect((await request("GET", `/threads/${threadId}`)).status).toBe(404);
    const leftovers = await server.services.pool.query("SELECT count(*)::int AS n FROM checkpoints WHERE thread_id = $1", [threadId]);
    expect(leftovers.rows[0]).toEqual({ n: 0 });
  });

  it("metadata.assistant_id names the thread's assistant over WS as over HTTP, whatever was stored under it", async () => {
    await using client = await TestWsClient.connect(server.wsUrl);
    const { thread_id } = await client.call<{ thread_id: string }>("thread.open", {});
    const patched = await request<{ metadata: Record<string, unknown> }>("PATCH", `/threads/${thread_id}`, { metadata: { assistant_id: "not-the-assistant", team: "a" } });
    expect(patched.body.metadata).toEqual({ assistant_id: "chat", graph_id: "chat", team: "a" });
    const overWs = await client.call<{ metadata: Record<string, unknown> }>("thread.get", { thread_id });
    expect(overWs.metadata).toEqual({ assistant_id: "chat", graph_id: "chat", team: "a" });
    const listed = await client.call<{ sessions: { thread_id: string; metadata: Record<string, unknown> }[] }>("thread.list", {});
    expect(listed.sessions.find((session) => session.thread_id === thread_id)?.metadata).toEqual({ assistant_id: "chat", graph_id: "chat", team: "a" });
  });

  it("POST /threads with thread_id honours if_exists", async () => {
    const threadId = "11111111-2222-4333-8444-555555555555";
    expect((await request("POST", "/threads", { thread_id: threadId })).status).toBe(200);
    expect((await request("POST", "/threads", { thread_id: threadId })).body).toMatchObject({ code: "conflict" });
    expect((await request("POST", "/threads", { thread_id: threadId, if_exists: "do_nothing" })).status).toBe(200);
    // A new id with a window already bound to another session: the window is what conflicts, and the answer says so.
    expect((await request("POST", "/threads", { window_id: "bound-window" })).status).toBe(200);
    const windowTaken = await request<{ code: string; message: string }>("POST", "/threads", { thread_id: "22222222-3333-4444-8555-666666666666", window_id: "bound-window" });
    expect(windowTaken.status).toBe(409);
    expect(windowTaken.body.message).toMatch(/^Window bound-window already has a session/);
  });
});

describe("assistants", () => {
  it("a default per graph is addressable by graph id", async () => {
    const chatAssistant = await request<{ assistant_id: string; graph_id: string }>("GET", "/assistants/chat");
    expect(chatAssistant.body).toMatchObject({ assistant_id: "chat", graph_id: "chat" });
    expect((await request("DELETE", "/assistants/chat")).status).toBe(400);
  });

  it("create, search, update, delete; its settings drive the run", async () => {
    const created = await request<{ assistant_id: string; version: number }>("POST", "/assistants", {
      graph_id: "chat",
      name: "Calculator only",
      context: {
        context: "You are terse.",
        first_message: "Hi! I can calculate. 你好！",
        tools: ["calculator"],
        response_shape: { type: "object", properties: { answer: { type: "string" }, confidence: { type: "number" } } },
      },
      metadata: { team: "math" },
    });
    expect(created.status).toBe(200);
    const assistantId = created.body.assistant_id;

    const search = await request<{ assistant_id: string }[]>("POST", "/assistants/search", { metadata: { team: "math" } });
    expect(search.body.map((found) => found.assistant_id)).toEqual([assistantId]);
    const all = await request<{ assistant_id: string }[]>("POST", "/assistants/search", {});
    expect(all.body.map((found) => found.assistant_id)).toEqual(["chat", assistantId]);

    await using client = await TestWsClient.connect(server.wsUrl);
    const session = await client.call<{ thread_id: string }>("thread.open", { window_id: "calc", assistant_id: assistantId });
    const opening = await client.call<{ messages: { role: string; content: string }[] }>("messages.list", { thread_id: session.thread_id });
    expect(opening.messages).toEqual([expect.objectContaining({ role: "assistant", content: "Hi! I can calculate. 你好！" })]);

    const answer = await chat(client, session.thread_id, "what is up");
    expect(answer.final.data).toMatchObject({ structured_response: { answer: "You said: what is up", confidence: 0 } });
    const history = await client.call<{ messages: { role: string; content: string }[] }>("messages.list", { thread_id: session.thread_id });
    expect(history.messages.map((message) => message.role)).toEqual(["assistant", "user", "assistant"]);
    expect(JSON.parse(history.messages[2]?.content ?? "{}")).toEqual({ answer: "You said: what is up", confidence: 0 });
    const state = await request<{ values: { messages: { type: string; content: string }[]; structured_response: unknown } }>(
      "GET",
      `/threads/${session.thread_id}/state`,
    );
    expect(state.body.values.messages[0]).toMatchObject({ type: "ai", content: "Hi! I can calculate. 你好！" });
    expect(state.body.values.structured_response).toEqual({ answer: "You said: what is up", confidence: 0 });

    const blocked = await chat(client, session.thread_id, '/tool get_current_time {"time_zone":"UTC"}');
    const toolResult = await client.waitForEvent("tool.completed", { run_id: blocked.runId });
    expect(String(toolResult.data?.error)).toContain("Available tools: calculator");

    const updated = await request<{ name: string; version: number }>("PATCH", `/assistants/${assistantId}`, { name: "Renamed" });
    expect(updated.body).toMatchObject({ name: "Renamed", version: 2 });
    // In use by a thread: refused (the thread would become unreadable through the state API); then, without it, gone.
    const inUse = await request<{ code: string; details: { threads: number; crons: number } }>("DELETE", `/assistants/${assistantId}`);
    expect(inUse.status).toBe(409);
    expect(inUse.body).toMatchObject({ code: "conflict", details: { threads: 1, crons: 0 } });
    expect((await request("GET", `/threads/${session.thread_id}/state`)).status).toBe(200);
    expect((await request("DELETE", `/threads/${session.thread_id}`)).status).toBe(204);
    expect((await request("DELETE", `/assistants/${assistantId}`)).status).toBe(204);
    expect((await request("GET", `/assistants/${assistantId}`)).status).toBe(404);
  });
  it("refuses an embedded model named by URL or hf: URI that has not been pulled (runs would all fail)", async () => {
    for (const model of ["local:https://models.example.com/files/tiny-chat.Q4_K_M.gguf", "local:hf:someone/Tiny-Chat-GGUF:Q4_K_M"]) {
      const refused = await request<{ code: string; message: string }>("POST", "/assistants", { graph_id: "chat", context: { model } });
      expect(refused.status, model).toBe(400);
      expect(refused.body.message, model).toMatch(/has not been pulled; run `threadline models pull (https:|hf:)/);
    }
  });

  it("refuses a context budget that cannot hold the assistant's system context and tools, at creation and on update", async () => {
    type Refusal = { code: string; message: string; details: { context_budget: number; tool_tokens: number; minimum_budget: number } };
    const settings = { context: "You answer questions about invoices. ".repeat(20), tools: ["calculator", "send_email", "notes_search"] };
    const refused = await request<Refusal>("POST", "/assistants", { graph_id: "chat", context: { ...settings, context_budget: 300 } });
    expect(refused.status).toBe(400);
    expect(refused.body.code).toBe("invalid_request");
    expect(refused.body.message).toMatch(/^context_budget 300 is too small for this assistant: every call carries \d+ tokens before the conversation .* Set context_budget to at least \d+/);
    const { minimum_budget: minimum, tool_tokens: toolTokens } = refused.body.details;
    expect(toolTokens).toBeGreaterThan(100);
    expect(refused.body.message).toContain(`at least ${minimum}`);
    expect((await request<{ assistant_id: string }[]>("POST", "/assistants/search", { limit: 100 })).body.map((found) => found.assistant_id)).toEqual(["chat"]);

    // The minimum it names is enough: the assistant is created and answers.
    const created = await request<{ assistant_id: string }>("POST", "/assistants", { graph_id: "chat", context: { ...settings, context_budget: minimum } });
    expect(created.status).toBe(200);
    await using client = await TestWsClient.connect(server.wsUrl);
    const session = await client.call<{ thread_id: string }>("thread.open", { window_id: "budget", assistant_id: created.body.assistant_id });
    expect((await chat(client, session.thread_id, "how much is invoice 7?")).final.event).toBe("run.completed");

    // An update that would not fit is refused and changes nothing.
    const update = await request<Refusal>("PATCH", `/assistants/${created.body.assistant_id}`, { context: { context_budget: minimum - 1 } });
    expect(update.status).toBe(400);
    expect(update.body.details.minimum_budget).toBe(minimum);
    const kept = await request<{ version: number; context: { context_budget: number } }>("GET", `/assistants/${created.body.assistant_id}`);
    expect(kept.body).toMatchObject({ version: 1, context: { context_budget: minimum } });
    expect((await request("DELETE", `/threads/${session.thread_id}`)).status).toBe(204);
    expect((await request("DELETE", `/assistants/${created.body.assistant_id}`)).status).toBe(204);

    // Without a budget of its own, the model's default is checked (the fake model's: 3/4 of 4,096).
    const huge = await request<Refusal>("POST", "/assistants", { graph_id: "chat", context: { context: "Invoice rules. ".repeat(1000) } });
    expect(huge.status).toBe(400);
    expect(huge.body.message).toMatch(/^The model's default context budget \(3072 tokens\) is too small for this assistant/);
  });
});
