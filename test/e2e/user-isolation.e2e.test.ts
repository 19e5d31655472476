import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningServer } from "../../src/app.js";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database.js";
import { startTestServer } from "../helpers/test-server.js";
import { chat, TestWsClient } from "../helpers/ws-client.js";

let database: TestDatabase;
let server: RunningServer;
let aliceKey: string;
let bobKey: string;
let alice: TestWsClient;
let bob: TestWsClient;
let aliceThread: string;
let aliceRun: string;

beforeAll(async () => {
  database = await createTestDatabase();
  server = await startTestServer({ databaseUrl: database.url, env: { AUTH_MODE: "apikey", WS_REAUTH_MS: 200 } });
  aliceKey = (await server.services.apiKeys.create("alice")).key;
  bobKey = (await server.services.apiKeys.create("bob")).key;
  alice = await TestWsClient.connect(server.wsUrl, { token: aliceKey });
  bob = await TestWsClient.connect(server.wsUrl, { token: bobKey, tokenInQuery: true });
  aliceThread = (await alice.call<{ thread_id: string }>("thread.open", { window_id: "laptop", title: "secret plans" })).thread_id;
  aliceRun = (await chat(alice, aliceThread, "my secret")).runId;
});

afterAll(async () => {
  await alice.close();
  await bob.close();
  await server.close();
  await database.drop();
});

describe("another user's session answers not_found everywhere (WebSocket)", () => {
  const cases: [string, () => Record<string, unknown>][] = [
    ["thread.open", () => ({ thread_id: aliceThread })],
    ["thread.get", () => ({ thread_id: aliceThread })],
    ["thread.update", () => ({ thread_id: aliceThread, title: "mine now" })],
    ["thread.delete", () => ({ thread_id: aliceThread })],
    ["messages.list", () => ({ thread_id: aliceThread })],
    ["run.start", () => ({ thread_id: aliceThread, input: { messages: [{ role: "user", content: "hi" }] } })],
    ["run.cancel", () => ({ thread_id: aliceThread, run_id: aliceRun })],
    ["subscription.subscribe", () => ({ thread_id: aliceThread, since: 0 })],
  ];
  it.each(cases)("%s", async (method, params) => {
    const frame = await bob.callError(method, params());
    expect(frame.code).toBe("not_found");
    expect(frame.message).not.toContain("secret");
  });

  it("does not list it, and the same window id is a different session for bob", async () => {
    const page = await bob.call<{ sessions: unknown[] }>("thread.list", {});
    expect(page.sessions).toEqual([]);
    const bobs = await bob.call<{ thread_id: string; created: boolean }>("thread.open", { window_id: "laptop" });
    expect(bobs.thread_id).not.toBe(aliceThread);
    expect(bob.events(aliceThread)).toEqual([]);
  });

  it("left alice's session untouched", async () => {
    const session = await alice.call<{ title: string }>("thread.get", { thread_id: aliceThread });
    expect(session.title).toBe("secret plans");
    const history = await alice.call<{ messages: unknown[] }>("messages.list", { thread_id: aliceThread });
    expect(history.messages).toHaveLength(2);
  });
});

describe("another user's session answers 404 everywhere (HTTP)", () => {
  const routes: [string, string, unknown?][] = [
    ["GET", "/threads/:id"],
    ["PATCH", "/threads/:id", { metadata: { stolen: true } }],
    ["DELETE", "/threads/:id"],
    ["GET", "/threads/:id/state"],
    ["POST", "/threads/:id/history", {}],
    ["GET", "/threads/:id/messages"],
  ];
  it.each(routes)("%s %s", async (method, route, body) => {
    const response = await fetch(`${server.url}${route.replace(":id", aliceThread)}`, {
      method,
      headers: { Authorization: `Bearer ${bobKey}`, "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ code: "not_found" });
  });

  it("search returns only the caller's threads; creating with alice's id is a conflict that reveals nothing", async () => {
    const search = await fetch(`${server.url}/threads/search`, {
      method: "POST",
      headers: { Authorization: `Bearer ${bobKey}`, "Content-Type": "application/json" },
      body: "{}",
    });
    const threads = (await search.json()) as { thread_id: string }[];
    expect(threads.map((thread) => thread.thread_id)).not.toContain(aliceThread);

    const create = async (body: Record<string, unknown>) => {
      const response = await fetch(`${server.url}/threads`, { method: "POST", headers: { Authorization: `Bearer ${bobKey}`, "Content-Type": "application/json" }, body: JSON.stringify({ thread_id: aliceThread, ...body }) });
      return { status: response.status, body: (await response.json()) as { code?: string; message?: string } };
    };
    // Taken, as any existing id is; with do_nothing it answers as a read of it would: 404. A window_id of bob's
    // that has no session changes neither (it used to say the window had one).
    for (const extra of [{}, { window_id: "never-used-window" }]) {
      const raised = await create(extra);
      expect([raised.status, raised.body.code]).toEqual([409, "conflict"]);
      expect(raised.body.message).toMatch(/already exists/);
      expect((await create({ ...extra, if_exists: "do_nothing" })).status).toBe(404);
    }
    // The same answer alice gets for her own id: it says the id is taken, not whose.
    const own = await fetch(`${server.url}/threads`, { method: "POST", headers: { Authorization: `Bearer ${aliceKey}`, "Content-Type": "application/json" }, body: JSON.stringify({ thread_id: aliceThread }) });
    expect([own.status, await own.json()]).toEqual([409, (await create({})).body]);
  });

  it("assistants are private too", async () => {
    const headers = (key: string) => ({ Authorization: `Bearer ${key}`, "Content-Type": "application/json" });
    const created = await fetch(`${server.url}/assistants`, {
      method: "POST",
      headers: headers(aliceKey),
      body: JSON.stringify({ graph_id: "chat", name: "alice's", context: { context: "You are Alice's helper." } }),
    });
    const assistant = (await created.json()) as { assistant_id: string };
    for (const method of ["GET", "PATCH", "DELETE"]) {
      const response = await fetch(`${server.url}/assistants/${assistant.assistant_id}`, {
        method,
        headers: headers(bobKey),
        body: method === "PATCH" ? JSON.stringify({ name: "bob's" }) : undefined,
      });
      expect(response.status).toBe(404);
    }
    const opened = await bob.callError("thread.open", { window_id: "x", assistant_id: assistant.assistant_id });
    expect(opened.code).toBe("not_found");
  });
});

describe("authentication", () => {
  it("refuses a WebSocket without a valid key", async () => {
    await expect(TestWsClient.connect(server.wsUrl)).rejects.toThrow(/401/);
    await expect(TestWsClient.connect(server.wsUrl, { token: "tl_forged" })).rejects.toThrow(/401/);
  });

  it("refuses HTTP without a valid key, with a typed error", async () => {
    const response = await fetch(`${server.url}/threads/search`, { method: "POST", body: "{}", headers: { "Content-Type": "application/json" } });
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ code: "unauthorized" });
  });

  it("a revoked key stops working", async () => {
    const { key, info } = await server.services.apiKeys.create("carol");
    await using carol = await TestWsClient.connect(server.wsUrl, { token: key });
    await carol.call("thread.list", {});
    await server.services.apiKeys.revoke(info.key_id);
    await expect(TestWsClient.connect(server.wsUrl, { token: key })).rejects.toThrow(/401/);
    // The socket opened with it is told and closed at the next credential check; others stay open.
    expect(await carol.closed(10_000)).toEqual({ code: 1008, reason: "credentials revoked or expired" });
    expect(carol.frames.some((frame) => frame.type === "error" && frame.code === "unauthorized")).toBe(true);
    await alice.call("thread.list", {});
  });

  it("an SSE stream opened with a key ends when the key is revoked (thread stream and run join stream)", async () => {
    const { key, info } = await server.services.apiKeys.create("dave");
    const headers = { Authorization: `Bearer ${key}` };
    const thread = (await (await fetch(`${server.url}/threads`, { method: "POST", headers: { ...headers, "Content-Type": "application/json" }, body: "{}" })).json()) as { thread_id: string };
    const run = (await (
      await fetch(`${server.url}/threads/${thread.thread_id}/runs`, {
        method: "POST",
        headers: { ...headers, "Content-Type": "application/json" },
        body: JSON.stringify({ input: { messages: [{ role: "user", content: "hi" }] }, after_seconds: 600 }),
      })
    ).json()) as { run_id: string };
    const streams = [`/threads/${thread.thread_id}/stream`, `/threads/${thread.thread_id}/runs/${run.run_id}/stream`].map(async (path) => {
      const response = await fetch(`${server.url}${path}`, { headers });
      expect(response.status).toBe(200);
      return response.text();
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    await server.services.apiKeys.revoke(info.key_id);
    for (const text of await Promise.all(streams)) {
      expect(text).toContain("event: error");
      expect(text).toContain('"error":"unauthorized"');
    }
  });

  it("a /join or /wait long-poll opened with a key ends unauthorized when the key is revoked, while the run waits on", async () => {
    const { key, info } = await server.services.apiKeys.create("erin");
    const headers = { Authorization: `Bearer ${key}`, "Content-Type": "application/json" };
    const thread = (await (await fetch(`${server.url}/threads`, { method: "POST", headers, body: "{}" })).json()) as { thread_id: string };
    const body = JSON.stringify({ input: { messages: [{ role: "user", content: "later" }] }, after_seconds: 600 });
    const run = (await (await fetch(`${server.url}/threads/${thread.thread_id}/runs`, { method: "POST", headers, body })).json()) as { run_id: string };
    const polls = [
      fetch(`${server.url}/threads/${thread.thread_id}/runs/${run.run_id}/join`, { headers }),
      fetch(`${server.url}/threads/${thread.thread_id}/runs/wait`, { method: "POST", headers, body }),
    ];
    await new Promise((resolve) => setTimeout(resolve, 300));
    await server.services.apiKeys.revoke(info.key_id);
    const [join, wait] = await Promise.all(polls);
    expect(join?.status).toBe(401);
    expect(((await join?.json()) as { code: string }).code).toBe("unauthorized");
    // A wait sent its status line when its run was created: the refusal ends its body.
    expect(wait?.status).toBe(200);
    expect(((await wait?.json()) as { __error__: { error: string } }).__error__.error).toBe("unauthorized");
    const runs = await server.services.runs.list("erin", thread.thread_id, { limit: 10, offset: 0 });
    expect(runs.map((listed) => listed.status).sort()).toEqual(["pending", "pending"]);
  });

  it("the periodic credential check asks once per credential, however many windows share it", async () => {
    // Alice opens three more windows with her key; Bob keeps his one.
    const windows = await Promise.all([1, 2, 3].map(() => TestWsClient.connect(server.wsUrl, { token: aliceKey })));
    const { authenticator } = server.services;
    const original = authenticator.authenticate.bind(authenticator);
    const calls = new Map<string | undefined, number>();
    authenticator.authenticate = (credential) => {
      calls.set(credential, (calls.get(credential) ?? 0) + 1);
      return original(credential);
    };
    try {
      // A few sweeps (WS_REAUTH_MS is 200 here).
      await new Promise((resolve) => setTimeout(resolve, 700));
    } finally {
      authenticator.authenticate = original;
      await Promise.all(windows.map((window) => window.close()));
    }
    const aliceChecks = calls.get(aliceKey) ?? 0;
    const bobChecks = calls.get(bobKey) ?? 0;
    expect(bobChecks).toBeGreaterThanOrEqual(2);
    // Four sockets, one check per sweep (a sweep may be cut in half by the end of the window).
    expect(Math.abs(aliceChecks - bobChecks)).toBeLessThanOrEqual(1);
  });
});
