import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningServer } from "../../src/app.js";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database.js";
import { startTestServer } from "../helpers/test-server.js";
import { chat, TestWsClient } from "../helpers/ws-client.js";

const FRAME_LIMIT = 16 * 1024;
const BODY_LIMIT = 16 * 1024;

let database: TestDatabase;
let server: RunningServer;
let client: TestWsClient;
let threadId: string;

beforeAll(async () => {
  database = await createTestDatabase();
  server = await startTestServer({
    databaseUrl: database.url,
    env: { WS_MAX_FRAME_BYTES: FRAME_LIMIT, MAX_BODY_BYTES: BODY_LIMIT, FAKE_CHUNK_DELAY_MS: 40 },
  });
  client = await TestWsClient.connect(server.wsUrl);
  threadId = (await client.call<{ thread_id: string }>("thread.open", { window_id: "main" })).thread_id;
});

afterAll(async () => {
  await client.close();
  await server.close();
  await database.drop();
});

describe("malformed WebSocket frames get typed errors and keep the socket open", () => {
  it("invalid JSON", async () => {
    client.sendRaw("{not json");
    const frame = await client.waitFor((candidate) => candidate.type === "error" && candidate.message === "Frame is not valid JSON");
    expect(frame).toMatchObject({ id: null, code: "invalid_request" });
  });

  it("a frame that is not a command", async () => {
    client.sendRaw(JSON.stringify({ hello: "world" }));
    const frame = await client.waitFor((candidate) => candidate.type === "error" && candidate.message === "Expected {id, method, params}");
    expect(frame.code).toBe("invalid_request");
  });

  it("binary frames", async () => {
    client.sendRaw(Buffer.from(JSON.stringify({ id: "bin", method: "thread.list" })));
    const frame = await client.waitFor((candidate) => candidate.type === "error" && candidate.id === null && String(candidate.message).includes("Binary"));
    expect(frame.code).toBe("invalid_request");
  });

  it("unknown method", async () => {
    expect(await client.callError("thread.explode", {})).toMatchObject({ code: "method_not_found" });
    // Names every JavaScript object has by inheritance are no methods either (they once answered `internal`).
    for (const name of ["__proto__", "constructor", "toString", "hasOwnProperty", "valueOf"]) {
      expect(await client.callError(name, {})).toMatchObject({ code: "method_not_found", message: `Unknown method "${name}"` });
    }
  });

  it("an invalid param's message says where and what, for clients that print only the message (the terminal client)", async () => {
    const frame = await client.callError("run.start", { thread_id: threadId, input: { messages: [{ role: "user", content: "" }] } });
    expect(frame.message).toMatch(/^Invalid params for run\.start: input\.messages\[0\]\.content: Too small: expected string to have >=1 characters$/);
    expect((await client.callError("thread.list", { limit: "ten", cursor: 5 })).message).toMatch(/^Invalid params for thread\.list: limit: .+ \(and 1 more\)$/);
  });

  it("wrong types and unknown keys", async () => {
    expect(await client.callError("thread.list", { limit: "ten" })).toMatchObject({ code: "invalid_request" });
    expect(await client.callError("thread.list", { limit: 5000 })).toMatchObject({ code: "invalid_request" });
    expect(await client.callError("thread.get", { thread_id: 42 })).toMatchObject({ code: "invalid_request" });
    expect(await client.callError("thread.open", { windw_id: "typo" })).toMatchObject({ code: "invalid_request" });
    expect(await client.callError("run.start", { thread_id: threadId, input: { messages: [] } })).toMatchObject({ code: "invalid_request" });
    expect(await client.callError("run.start", { thread_id: threadId, input: { messages: [{ role: "system", content: "x" }] } })).toMatchObject({
      code: "invalid_request",
    });
    expect(await client.callError("thread.list", { cursor: "garbage" })).toMatchObject({ code: "invalid_request", message: "Invalid cursor" });
  });

  it("text Postgres cannot store (NUL, an unpaired surrogate) is refused before anything is written", async () => {
    for (const content of ["nul \u0000 here", "lone \ud800 surrogate", "lone \udc00 low"]) {
      const frame = await client.callError("run.start", { thread_id: threadId, input: { messages: [{ role: "user", content }] } });
      expect(frame).toMatchObject({ code: "invalid_request", details: { path: "input.messages[0].content" } });
      expect(frame.id).not.toBeNull();
    }
    expect(await client.callError("thread.open", { window_id: "a\u0000b" })).toMatchObject({ code: "invalid_request", details: { path: "window_id" } });
    const history = await client.call<{ messages: unknown[] }>("messages.list", { thread_id: threadId });
    expect(history.messages).toHaveLength(0);
    // A well-formed pair (an emoji) is fine.
    expect(await client.call("thread.update", { thread_id: threadId, title: "😀" })).toBeDefined();
  });

  it("input nested deeper than 64 levels is refused before anything is written (it once overflowed the stack: internal)", async () => {
    const before = (await client.call<{ sessions: unknown[] }>("thread.list", { limit: 100 })).sessions.length;
    // Written out as text: a value this deep is beyond JSON.stringify's stack too.
    client.sendRaw(`{"id":"deep","method":"thread.open","params":{"metadata":{"deep":${nestedJson(5000)}}}}`);
    const frame = await client.waitFor((candidate) => candidate.type === "error" && candidate.id === "deep");
    expect(frame).toMatchObject({ code: "invalid_request", details: { path: `metadata.deep${"[0]".repeat(62)}`, max_depth: 64 } });
    expect(frame.message).toContain("nested deeper than 64 levels");
    expect(await client.callError("thread.open", { metadata: { deep: nested(63) } })).toMatchObject({ code: "invalid_request" });
    expect((await client.call<{ sessions: unknown[] }>("thread.list", { limit: 100 })).sessions).toHaveLength(before);
    // 64 levels, the params object counted, are fine.
    expect(await client.call("thread.update", { thread_id: threadId, metadata: { deep: nested(62) } })).toBeDefined();
  });

  it("a blank title is refused (it listed as an empty row and kept the first message from titling the session); a title is trimmed", async () => {
    const before = (await client.call<{ sessions: unknown[] }>("thread.list", { limit: 100 })).sessions.length;
    for (const title of ["", "   ", "\n\t"]) {
      const frame = await client.callError("thread.open", { title });
      expect(frame).toMatchObject({ code: "invalid_request", details: [{ path: ["title"], message: "A title needs at least one visible character; leave it out for an untitled session" }] });
    }
    expect((await client.call<{ sessions: unknown[] }>("thread.list", { limit: 100 })).sessions).toHaveLength(before);
    const { thread_id: titled } = await client.call<{ thread_id: string }>("thread.open", { title: "  Trip to Lisbon \n" });
    expect(await client.call("thread.get", { thread_id: titled })).toMatchObject({ title: "Trip to Lisbon" });
    expect(await client.callError("thread.update", { thread_id: titled, title: " " })).toMatchObject({ code: "invalid_request" });
    expect(await client.call("thread.get", { thread_id: titled })).toMatchObject({ title: "Trip to Lisbon" });
    await client.call("thread.delete", { thread_id: titled });
  });

  it("an invalid frame still gets its id back when the id is readable", async () => {
    client.sendRaw(JSON.stringify({ id: "null-params", method: "messages.list", params: null }));
    const frame = await client.waitFor((candidate) => candidate.type === "error" && candidate.id === "null-params");
    expect(frame).toMatchObject({ code: "invalid_request", message: "Expected {id, method, params}" });
  });

  it("a page's null next_before can be passed back as before", async () => {
    const page = await client.call<{ messages: unknown[]; next_before: number | null }>("messages.list", { thread_id: threadId, before: null });
    expect(page.next_before).toBeNull();
    const checkpoints = await client.call<{ next_before: string | null }>("state.listCheckpoints", { thread_id: threadId, before: null });
    expect(checkpoints.next_before).toBeNull();
  });

  it("a frame over the configured limit", async () => {
    const content = "x".repeat(FRAME_LIMIT + 10);
    const frame = await client.callError("run.start", { thread_id: threadId, input: { messages: [{ role: "user", content }] } });
    expect(frame).toMatchObject({ code: "payload_too_large" });
    expect(frame.id).not.toBeNull();
    const history = await client.call<{ messages: unknown[] }>("messages.list", { thread_id: threadId });
    expect(history.messages).toHaveLength(0);
  });

  it("a frame past the hard cap closes the socket with 1009", async () => {
    await using victim = await TestWsClient.connect(server.wsUrl);
    victim.sendRaw("x".repeat(FRAME_LIMIT * 3 + 70_000));
    expect((await victim.closed()).code).toBe(1009);
  });

  it("the socket still works after all of that", async () => {
    const page = await client.call<{ sessions: unknown[] }>("thread.list", {});
    expect(page.sessions).toHaveLength(1);
  });
});

describe("runs", () => {
  it("a second run.start on a busy thread with multitask_strategy reject answers thread_busy and loses nothing", async () => {
    const { run_id } = await client.call<{ run_id: string }>("run.start", { thread_id: threadId, input: { messages: [{ role: "user", content: "first" }] } });
    const busy = await client.callError("run.start", {
      thread_id: threadId,
      input: { messages: [{ role: "user", content: "second" }] },
      multitask_strategy: "reject",
    });
    expect(busy).toMatchObject({ code: "thread_busy" });
    await client.waitForEvent("run.completed", { run_id });
    const history = await client.call<{ messages: { content: string }[] }>("messages.list", { thread_id: threadId });
    expect(history.messages.map((message) => message.content)).toEqual(["first", "You said: first"]);
  });

  it("client_message_id makes run.start idempotent", async () => {
    const params = { thread_id: threadId, input: { messages: [{ role: "user", content: "once" }] }, client_message_id: "msg-1" };
    const first = await client.call<{ run_id: string; duplicate: boolean }>("run.start", params);
    await client.waitForEvent("run.completed", { run_id: first.run_id });
    const retry = await client.call<{ run_id: string; duplicate: boolean }>("run.start", params);
    expect(retry).toMatchObject({ run_id: first.run_id, duplicate: true });
    const history = await client.call<{ messages: { content: string }[] }>("messages.list", { thread_id: threadId });
    expect(history.messages.filter((message) => message.content === "once")).toHaveLength(1);
  });

  it("an unknown tool becomes a tool error the model sees", async () => {
    const { runId, final } = await chat(client, threadId, '/tool launch_rockets {"count":3}');
    expect(final.event).toBe("run.completed");
    const completed = await client.waitForEvent("tool.completed", { run_id: runId });
    expect(completed.data).toMatchObject({ name: "launch_rockets" });
    expect(String(completed.data?.error)).toContain('unknown tool "launch_rockets"');
    const reply = await client.waitForEvent("message.completed", { run_id: runId });
    expect(reply).toBeDefined();
  });

  it("invalid tool arguments and tool exceptions become tool errors, and the run completes", async () => {
    const invalid = await chat(client, threadId, '/tool calculator {"expr":"1+1"}');
    const invalidResult = await client.waitForEvent("tool.completed", { run_id: invalid.runId });
    expect(String(invalidResult.data?.error)).toContain("invalid arguments for calculator");
    const throwing = await chat(client, threadId, '/tool calculator {"expression":"1 +* 2"}');
    const thrownResult = await client.waitForEvent("tool.completed", { run_id: throwing.runId });
    expect(String(thrownResult.data?.error)).toContain("Could not evaluate");
    expect(throwing.final.event).toBe("run.completed");
    const history = await client.call<{ messages: { role: string; content: string; status?: string }[] }>("messages.list", { thread_id: threadId });
    const last = history.messages.at(-1);
    expect(last?.content).toContain("Tool calculator returned: Error: Could not evaluate");
    expect(history.messages.at(-2)).toMatchObject({ role: "tool", status: "error" });
  });

  it("a model's tool call holding text Postgres cannot store (a NUL in its arguments) is stored with U+FFFD, and nothing is lost", async () => {
    // The user's text is storable (a backslash escape); the model's tool-call JSON decodes it to a real NUL.
    const { runId, final } = await chat(client, threadId, '/tool calculator {"expression":"1+\\u0000", "note\\u0000":"\\ud800"}');
    expect(final.event).toBe("run.completed");
    const started = await client.waitForEvent("tool.started", { run_id: runId });
    expect(started.data?.args).toEqual({ expression: "1+\uFFFD", "note\uFFFD": "\uFFFD" });
    const history = await client.call<{ messages: { role: string; run_id: string; content: string; tool_calls?: { args: unknown }[] }[] }>("messages.list", { thread_id: threadId });
    const run = history.messages.filter((message) => message.run_id === runId);
    expect(run.map((message) => message.role)).toEqual(["user", "assistant", "tool", "assistant"]);
    expect(run[1]?.tool_calls?.[0]?.args).toEqual({ expression: "1+\uFFFD", "note\uFFFD": "\uFFFD" });
    const state = await client.call<{ values: { messages: unknown[] } }>("state.get", { thread_id: threadId });
    expect(state.values.messages.length).toBeGreaterThanOrEqual(4);
  });

  it("a model failure ends the run with run.failed and keeps the user's message", async () => {
    const { final } = await chat(client, threadId, "/fail provider exploded (sk-abcdefghijklmnop)");
    expect(final.event).toBe("run.failed");
    expect(final.data).toMatchObject({ code: "model_error", status: "error" });
    expect(String(final.data?.message)).toContain("provider exploded");
    expect(String(final.data?.message)).not.toContain("sk-abcdefghijklmnop");
    const history = await client.call<{ messages: { content: string }[] }>("messages.list", { thread_id: threadId });
    expect(history.messages.at(-1)?.content).toContain("/fail provider exploded");
    const session = await client.call<{ status: string }>("thread.get", { thread_id: threadId });
    expect(session.status).toBe("error");
    const state = (await (await fetch(`${server.url}/threads/${threadId}/state`)).json()) as { values: { messages: { content: string }[] } };
    expect(state.values.messages.at(-1)?.content).toContain("/fail provider exploded");
    // The thread is usable again afterwards.
    expect((await chat(client, threadId, "recovered?")).final.event).toBe("run.completed");
  });

  it("cancelling a run ends it as cancelled and frees the thread", async () => {
    const { run_id } = await client.call<{ run_id: string }>("run.start", {
      thread_id: threadId,
      input: { messages: [{ role: "user", content: "a long answer please, with many many words in it" }] },
    });
    await client.waitForEvent("message.delta", { run_id });
    const cancelled = await client.call<{ cancel_requested: boolean }>("run.cancel", { thread_id: threadId, run_id });
    expect(cancelled.cancel_requested).toBe(true);
    const final = await client.waitForEvent("run.failed", { run_id });
    expect(final.data).toMatchObject({ status: "cancelled", code: "cancelled" });
    expect((await chat(client, threadId, "after cancel")).final.event).toBe("run.completed");
  });
});

describe("malformed HTTP requests get typed errors", () => {
  const post = (path: string, body: string) => fetch(`${server.url}${path}`, { method: "POST", headers: { "Content-Type": "application/json" }, body });

  it("a body of the wrong shape: the message names the field", async () => {
    const response = await post("/threads/search", JSON.stringify({ limit: "ten" }));
    expect(response.status).toBe(400);
    expect(((await response.json()) as { message: string }).message).toMatch(/^Request did not match the expected shape: limit: /);
  });

  it("invalid JSON body", async () => {
    const response = await post("/threads/search", "{oops");
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ code: "invalid_request", message: "Request body is not valid JSON" });
    // Valid JSON, but no request: said so (it read "not valid JSON").
    for (const body of ["null", "42", '"text"']) expect(await (await post("/threads", body)).json()).toMatchObject({ code: "invalid_request", message: "Request body must be a JSON object" });
  });

  it("a body that is not valid UTF-8 is refused, nothing stored (its bytes were read as U+FFFD and stored so)", async () => {
    const count = async () => (await (await post("/threads/count", "{}")).json()) as number;
    const before = await count();
    const body = Buffer.concat([Buffer.from('{"metadata":{"note":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}}')]);
    const response = await fetch(`${server.url}/threads`, { method: "POST", headers: { "Content-Type": "application/json" }, body });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ code: "invalid_request", message: "Request body is not valid UTF-8: send JSON encoded as UTF-8" });
    expect(await count()).toBe(before);
    // Valid UTF-8 (Chinese, emoji) is of course taken as sent.
    const fine = await post("/threads", JSON.stringify({ metadata: { note: "你好 👋" } }));
    expect(await fine.json()).toMatchObject({ metadata: { note: "你好 👋" } });
  });

  it("a body that is not JSON is refused, not read as no body (a text/plain POST /threads created a thread)", async () => {
    const count = async () => (await (await post("/threads/count", "{}")).json()) as number;
    const before = await count();
    for (const type of ["text/plain", "application/x-www-form-urlencoded"]) {
      const response = await fetch(`${server.url}/threads`, { method: "POST", headers: { "Content-Type": type }, body: "hello" });
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ code: "invalid_request", message: `Send the body as JSON (Content-Type: application/json), not ${type}` });
    }
    expect(await count()).toBe(before);
    // No body at all is no body (the SDK's cancel), and JSON types with a suffix are JSON.
    expect((await fetch(`${server.url}/threads`, { method: "POST" })).status).toBe(200);
    const suffixed = await fetch(`${server.url}/threads`, { method: "POST", headers: { "Content-Type": "application/merge-patch+json" }, body: '{"metadata":{"via":"suffix"}}' });
    expect(await suffixed.json()).toMatchObject({ metadata: { via: "suffix" } });
  });

  it("text Postgres cannot store, in a body or a query string", async () => {
    const surrogate = await post("/threads", '{"metadata":{"note":"lone \\ud800"}}');
    expect(surrogate.status).toBe(400);
    expect(await surrogate.json()).toMatchObject({ code: "invalid_request", details: { path: "metadata.note" } });
    const nulKey = await post("/threads", '{"metadata":{"a\\u0000b":1}}');
    expect(nulKey.status).toBe(400);
    const query = await fetch(`${server.url}/threads/import?title=a%00b`, { method: "POST", headers: { "Content-Type": "application/x-ndjson" }, body: '{"role":"user","content":"x"}' });
    expect(query.status).toBe(400);
    expect(await query.json()).toMatchObject({ code: "invalid_request", details: { path: "title" } });
  });

  it("a body nested deeper than 64 levels: 400, nothing created", async () => {
    const response = await post("/threads", `{"metadata":{"deep":${nestedJson(5000)}}}`);
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ code: "invalid_request", details: { max_depth: 64 } });
    const count = await post("/threads/count", "{}");
    expect(await count.json()).toBe((await client.call<{ sessions: unknown[] }>("thread.list", { limit: 100 })).sessions.length);
  });

  it("a blank title: 400 on create and on rename, the title kept", async () => {
    const created = await post("/threads", JSON.stringify({ title: "" }));
    expect(created.status).toBe(400);
    expect(await created.json()).toMatchObject({ code: "invalid_request" });
    const thread = (await (await post("/threads", JSON.stringify({ title: "Plans" }))).json()) as { thread_id: string };
    const patched = await fetch(`${server.url}/threads/${thread.thread_id}`, { method: "PATCH", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ title: "  " }) });
    expect(patched.status).toBe(400);
    expect(await (await fetch(`${server.url}/threads/${thread.thread_id}`)).json()).toMatchObject({ title: "Plans" });
  });

  it("a search for a symbol finds it instead of failing", async () => {
    const response = await post("/messages/search", JSON.stringify({ query: "%" }));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ results: [] });
  });

  it("oversized body", async () => {
    const response = await post("/threads", JSON.stringify({ metadata: { blob: "x".repeat(BODY_LIMIT * 2) } }));
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ code: "payload_too_large" });
  });

  it("wrong types", async () => {
    const response = await post("/threads/search", JSON.stringify({ limit: "many" }));
    expect(response.status).toBe(400);
    const body = (await response.json()) as { code: string; details: unknown[] };
    expect(body.code).toBe("invalid_request");
    expect(body.details.length).toBeGreaterThan(0);
  });

  it("unknown routes and ids", async () => {
    expect((await fetch(`${server.url}/nowhere`)).status).toBe(404);
    const notUuid = await fetch(`${server.url}/threads/not-a-uuid`);
    expect(notUuid.status).toBe(404);
    expect(await notUuid.json()).toMatchObject({ code: "not_found" });
    expect((await fetch(`${server.url}/threads/00000000-0000-4000-8000-000000000000/state`)).status).toBe(404);
  });

  it("invalid assistants are refused with what to fix", async () => {
    const unknownGraph = await post("/assistants", JSON.stringify({ graph_id: "nope" }));
    expect(unknownGraph.status).toBe(400);
    const unknownTool = await post("/assistants", JSON.stringify({ graph_id: "chat", context: { tools: ["rm_rf"] } }));
    expect(await unknownTool.json()).toMatchObject({ code: "invalid_request", message: expect.stringContaining("rm_rf") as unknown });
    const badModel = await post("/assistants", JSON.stringify({ graph_id: "chat", context: { model: "mystery:model-x" } }));
    expect(await badModel.json()).toMatchObject({ code: "invalid_request", message: expect.stringContaining("mystery") as unknown });
    const refused = async (context: Record<string, unknown>) => {
      const response = await post("/assistants", JSON.stringify({ graph_id: "chat", context: { model: "fake", ...context } }));
      expect(response.status, JSON.stringify(context)).toBe(400);
      return JSON.stringify(await response.json());
    };
    expect(await refused({ base_url: "ftp://models.example.com/v1" })).toContain("base_url must be an http:// or https:// URL");
    expect(await refused({ base_url: "http://user:pw@127.0.0.1:9901/v1" })).toContain("base_url must not carry credentials");
    expect(await refused({ max_tokens: 1e12 })).toContain("max_tokens");
    expect(await refused({ model: "openai: gpt-4o" })).toContain("spaces around its");
    expect((await post("/assistants", JSON.stringify({ graph_id: "chat", context: { model: "fake", base_url: "https://models.example.com/v1" } }))).status).toBe(200);
  });
});

/** The JSON text of an array nested `levels` deep. */
function nestedJson(levels: number): string {
  return `${"[".repeat(levels)}${"]".repeat(levels)}`;
}

/** An array nested `levels` deep: `[[[…]]]`. */
function nested(levels: number): unknown {
  let value: unknown = [];
  for (let level = 1; level < levels; level += 1) value = [value];
  return value;
}
