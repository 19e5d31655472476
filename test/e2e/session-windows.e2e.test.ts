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
