import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database.js";
import { startTestServer } from "../helpers/test-server.js";
import { requestJson, SseClient, type SseMessage, userInput } from "./http-runs-support.js";

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.drop();
});

// Slow, long replies keep the run going when the first server stops; a short grace leaves it for recovery.
const env = { FAKE_CHUNK_DELAY_MS: 600, FAKE_REPLY_MIN_CHARS: 200, SHUTDOWN_GRACE_MS: 100, RUN_LEASE_MS: 2000 };

function order(id: string | undefined): number {
  const [seq, index] = (id ?? "").split(".");
  return Number(seq) * 1000 + Number(index ?? 0);
}

describe("SSE across a server restart", () => {
  it("a client reconnecting with Last-Event-ID after a restart mid-run gets the rest of the run, exactly once", async () => {
    let threadId: string;
    let location: string;
    let before: SseMessage[];
    {
      await using first = await startTestServer({ databaseUrl: database.url, env });
      threadId = (await requestJson<{ thread_id: string }>(first.url, { method: "POST", path: "/threads", body: {} })).body.thread_id;
      const stream = await SseClient.open(`${first.url}/threads/${threadId}/runs/stream`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        // A restart is not the client leaving: on_disconnect "cancel" must not cancel the run.
        body: JSON.stringify({ input: userInput("survive the restart"), stream_mode: ["values", "messages-tuple", "updates"], on_disconnect: "cancel" }),
      });
      location = stream.response.headers.get("location") ?? "";
      await stream.next((event) => event.event === "messages");
      await first.close();
      await stream.untilEnd();
      before = [...stream.events];
    }
    expect(before.some((event) => event.event === "end")).toBe(false);
    const lastId = before.at(-1)?.id;

    await using second = await startTestServer({ databaseUrl: database.url, env });
    await using resumed = await SseClient.open(`${second.url}${location}`, { headers: { "Last-Event-ID": lastId ?? "-1" } });
    const after = await resumed.untilEnd(120_000);
    expect(after.at(-1)).toMatchObject({ event: "end", data: { status: "success" } });

    const story = [...before, ...after];
    const ids = story.map((event) => order(event.id));
    expect(ids).toEqual([...ids].sort((left, right) => left - right));
    expect(new Set(ids).size).toBe(ids.length);
    await using replay = await SseClient.open(`${second.url}${location}`, { headers: { "Last-Event-ID": "-1" } });
    expect((await replay.untilEnd()).map((event) => [event.id, event.event])).toEqual(story.map((event) => [event.id, event.event]));

    const finalValues = story.filter((event) => event.event === "values").at(-1)?.data as { messages: { type: string; content: string }[] };
    expect(finalValues.messages.map((message) => message.type)).toEqual(["human", "ai"]);
    expect(finalValues.messages[1]?.content.startsWith("You said: survive the restart")).toBe(true);
    const runId = (before[0]?.data as { run_id: string }).run_id;
    const run = await requestJson<{ status: string; attempt: number }>(second.url, { method: "GET", path: `/threads/${threadId}/runs/${runId}` });
    expect(run.body).toMatchObject({ status: "success", attempt: 2 });
    const state = await requestJson<{ values: { messages: { type: string }[] } }>(second.url, { method: "GET", path: `/threads/${threadId}/state` });
    expect(state.body.values.messages.map((message) => message.type)).toEqual(["human", "ai"]);
  });
});
