import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningServer } from "../../src/app.js";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database.js";
import { startTestServer } from "../helpers/test-server.js";
import { chat, TestWsClient } from "../helpers/ws-client.js";

let database: TestDatabase;
let server: RunningServer;
let client: TestWsClient;

beforeAll(async () => {
  database = await createTestDatabase();
  server = await startTestServer({ databaseUrl: database.url });
  client = await TestWsClient.connect(server.wsUrl);
});
afterAll(async () => {
  await client.close();
  await server.close();
  await database.drop();
});

describe("sessions and windows", () => {
  it("a window can switch to another session, which it then reopens", async () => {
    const work = await client.call<{ thread_id: string }>("thread.open", { window_id: "tab-1" });
    const other = await client.call<{ thread_id: string }>("thread.open", { title: "elsewhere" });
    const moved = await client.call<{ thread_id: string; window_id: string }>("thread.open", { window_id: "tab-1", thread_id: other.thread_id });
    expect(moved).toMatchObject({ thread_id: other.thread_id, window_id: "tab-1" });
    expect((await client.call<{ thread_id: string }>("thread.open", { window_id: "tab-1" })).thread_id).toBe(other.thread_id);
    expect((await client.call<{ window_id: string | null }>("thread.get", { thread_id: work.thread_id })).window_id).toBeNull();
  });

  it("run.start on a subscribed thread another window deleted answers not_found and stores nothing", async () => {
    const { thread_id } = await client.call<{ thread_id: string }>("thread.open", { title: "to be deleted" });
    await using window = await TestWsClient.connect(server.wsUrl);
    await chat(window, thread_id, "first");
    // The window stays subscribed (it started a run there); another window deletes the thread.
    await client.call("thread.delete", { thread_id });
    expect(await window.callError("run.start", { thread_id, input: { messages: [{ role: "user", content: "after delete" }] } })).toMatchObject({ code: "not_found" });
    const runs = await server.services.pool.query("SELECT 1 FROM runs WHERE thread_id = $1", [thread_id]);
    expect(runs.rowCount).toBe(0);
  });

  it("sessions report their latest seq, and subscribe without since returns it", async () => {
    const { thread_id } = await client.call<{ thread_id: string }>("thread.open", { window_id: "seq" });
    const { final } = await chat(client, thread_id, "count my events");
    const session = await client.call<{ last_seq: number }>("thread.get", { thread_id });
    expect(session.last_seq).toBe(final.seq);
    await using viewer = await TestWsClient.connect(server.wsUrl);
    expect(await viewer.call<{ last_seq: number }>("subscription.subscribe", { thread_id })).toMatchObject({ last_seq: final.seq });
  });

  it("sessions report the seq of their newest message: 0 until something is said, an assistant's greeting counted", async () => {
    const opened = await client.call<{ thread_id: string; last_message_seq: number }>("thread.open", { window_id: "messages-seq" });
    expect(opened.last_message_seq).toBe(0);
    await chat(client, opened.thread_id, "say something");
    const { messages } = await client.call<{ messages: { seq: number }[] }>("messages.list", { thread_id: opened.thread_id, limit: 50 });
    const newest = Math.max(...messages.map((message) => message.seq));
    expect(newest).toBeGreaterThan(0);
    expect(await client.call("thread.get", { thread_id: opened.thread_id })).toMatchObject({ last_message_seq: newest });
    const listed = await client.call<{ sessions: { thread_id: string; last_message_seq: number }[] }>("thread.list", { limit: 100 });
    expect(listed.sessions.find((session) => session.thread_id === opened.thread_id)).toMatchObject({ last_message_seq: newest });

    const response = await fetch(`${server.url}/assistants`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ graph_id: "chat", name: "Greeter", context: { first_message: "Hello!" } }),
    });
    const greeter = (await response.json()) as { assistant_id: string };
    const greeted = await client.call<{ thread_id: string; last_message_seq: number }>("thread.open", { assistant_id: greeter.assistant_id });
    expect(greeted.last_message_seq).toBe(1);
    expect(await client.call("thread.get", { thread_id: greeted.thread_id })).toMatchObject({ last_message_seq: 1 });
  });

  it("thread.list filters by title, case-insensitively, with wildcards taken literally", async () => {
    await client.call("thread.open", { title: "Quarterly REPORT 财报" });
    await client.call("thread.open", { title: "100% done" });
    const found = await client.call<{ sessions: { title: string }[] }>("thread.list", { query: "report" });
    expect(found.sessions.map((session) => session.title)).toEqual(["Quarterly REPORT 财报"]);
    expect((await client.call<{ sessions: unknown[] }>("thread.list", { query: "财报" })).sessions).toHaveLength(1);
    expect((await client.call<{ sessions: { title: string }[] }>("thread.list", { query: "100%" })).sessions.map((session) => session.title)).toEqual(["100% done"]);
    expect((await client.call<{ sessions: unknown[] }>("thread.list", { query: "%" })).sessions).toHaveLength(1);
  });
});
