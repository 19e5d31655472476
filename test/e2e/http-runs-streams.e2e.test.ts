import { get } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningServer } from "../../src/app.js";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database.js";
import { startTestServer } from "../helpers/test-server.js";
import { requestJson, SseClient, type SseMessage, userInput } from "./http-runs-support.js";

// Slow chunks hold runs open long enough to disconnect, reconnect or cancel in the middle of them.
const CHUNK_DELAY_MS = 1000;

let database: TestDatabase;
let server: RunningServer;

beforeAll(async () => {
  database = await createTestDatabase();
  server = await startTestServer({ databaseUrl: database.url, env: { FAKE_CHUNK_DELAY_MS: CHUNK_DELAY_MS, WS_HEARTBEAT_MS: 300 } });
});
afterAll(async () => {
  await server.close();
  await database.drop();
});

const api = <T = Record<string, unknown>>(method: string, path: string, body?: unknown) => requestJson<T>(server.url, { method, path, body });

async function newThread(): Promise<string> {
  return (await api<{ thread_id: string }>("POST", "/threads", {})).body.thread_id;
}

function postStream(path: string, body: unknown): Promise<SseClient> {
  return SseClient.open(`${server.url}${path}`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
}

function getStream(path: string, lastEventId?: string): Promise<SseClient> {
  return SseClient.open(`${server.url}${path}`, { headers: lastEventId === undefined ? {} : { "Last-Event-ID": lastEventId } });
}

async function runStatus(threadId: string, runId: string): Promise<string> {
  return (await api<{ status: string }>("GET", `/threads/${threadId}/runs/${runId}`)).body.status;
}

const summary = (events: SseMessage[]) => events.map((event) => `${event.id} ${event.event} ${JSON.stringify(event.data)}`);

describe("joining a run's stream with Last-Event-ID", () => {
  it("resumes after any event id with exactly the events that followed it", async () => {
    const threadId = await newThread();
    const run = (await api<{ run_id: string }>("POST", `/threads/${threadId}/runs`, { input: userInput('/tool calculator {"expression":"2+3"}') })).body;
    const path = `/threads/${threadId}/runs/${run.run_id}/stream?stream_mode=values&stream_mode=updates&stream_mode=messages-tuple`;
    await using first = await getStream(path);
    const full = await first.untilEnd();
    expect(full[0]?.event).toBe("metadata");
    expect(full.at(-1)).toMatchObject({ event: "end", data: { status: "success" } });
    expect(full.map((event) => event.id).filter((id) => id?.includes("."))).not.toEqual([]);

    await using fromStart = await getStream(path, "-1");
    expect(summary(await fromStart.untilEnd())).toEqual(summary(full));
    // The list JSON-encoded in one parameter, as @langchain/langgraph-sdk 2.x sends it: the same stream.
    const jsonList = encodeURIComponent(JSON.stringify(["values", "updates", "messages-tuple"]));
    await using sdk2 = await getStream(`/threads/${threadId}/runs/${run.run_id}/stream?stream_mode=${jsonList}`, "-1");
    expect(summary(await sdk2.untilEnd())).toEqual(summary(full));
    for (const [index, event] of full.entries()) {
      await using resumed = await getStream(path, event.id);
      expect(summary(await resumed.untilEnd()), `after ${event.id}`).toEqual(summary(full.slice(index + 1)));
    }
  });

  it("a client that drops mid-run and reconnects to Location misses nothing and sees nothing twice", async () => {
    const threadId = await newThread();
    const first = await postStream(`/threads/${threadId}/runs/stream`, { input: userInput("one two three four five six"), stream_mode: ["messages-tuple", "values"] });
    const location = first.response.headers.get("location") ?? "";
    await first.next((event) => event.event === "messages");
    first.close();
    const before = [...first.events];
    const lastId = before.at(-1)?.id;
    expect(lastId).toBeDefined();

    await using second = await getStream(location, lastId);
    const after = await second.untilEnd();
    expect(after.at(-1)?.event).toBe("end");
    await using replay = await getStream(location, "-1");
    expect(summary([...before, ...after])).toEqual(summary(await replay.untilEnd()));
    const text = [...before, ...after].filter((event) => event.event === "messages").map((event) => (event.data as [{ content: string }])[0].content);
    expect(text.join("")).toBe("You said: one two three four five six");
  });
});

describe("GET /threads/{id}/stream", () => {
  it("replays the thread's events after Last-Event-ID, continues live, and sends keep-alive comments", async () => {
    const threadId = await newThread();
    await api("POST", `/threads/${threadId}/runs/wait`, { input: userInput("history") });

    await using everything = await getStream(`/threads/${threadId}/stream`, "0");
    await using liveOnly = await getStream(`/threads/${threadId}/stream`);
    const replayed = await everything.next((event) => event.event === "run.completed");
    const historyLength = Number(replayed.id);
    expect(everything.events.map((event) => Number(event.id))).toEqual(Array.from({ length: historyLength }, (_, index) => index + 1));
    await everything.waitForComments(1);

    const run = (await api<{ run_id: string }>("POST", `/threads/${threadId}/runs`, { input: userInput("live") })).body;
    await everything.next((event) => event.event === "run.completed" && (event.data as { run_id: string }).run_id === run.run_id);
    await liveOnly.next((event) => event.event === "run.completed");
    const seqs = everything.events.map((event) => Number(event.id));
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, index) => index + 1));
    expect(liveOnly.events.map((event) => event.id)).toEqual(everything.events.slice(historyLength).map((event) => event.id));
    expect(liveOnly.events[0]?.data).toMatchObject({ thread_id: threadId, run_id: run.run_id, event: liveOnly.events[0]?.event });

    await using resumed = await getStream(`/threads/${threadId}/stream`, String(historyLength + 2));
    const rest = await resumed.next((event) => event.event === "run.completed");
    expect(Number(resumed.events[0]?.id)).toBe(historyLength + 3);
    expect(rest.id).toBe(everything.events.at(-1)?.id);
  });
});

describe("disconnects and cancellation", () => {
  it("on_disconnect: cancel cancels the run when the streaming client leaves", async () => {
    const threadId = await newThread();
    const stream = await postStream(`/threads/${threadId}/runs/stream`, { input: userInput("a long answer please"), on_disconnect: "cancel", stream_mode: "messages-tuple" });
    const runId = (await stream.next((event) => event.event === "metadata")).data as { run_id: string };
    await stream.next((event) => event.event === "messages");
    stream.close();
    await expect.poll(() => runStatus(threadId, runId.run_id), { timeout: 30_000 }).toBe("cancelled");
  });

  it("on_disconnect: continue (the default) lets the run finish; a join with cancel_on_disconnect=1 cancels", async () => {
    const threadId = await newThread();
    const stream = await postStream(`/threads/${threadId}/runs/stream`, { input: userInput("keep going"), stream_mode: "messages-tuple" });
    const { run_id: runId } = (await stream.next((event) => event.event === "metadata")).data as { run_id: string };
    await stream.next((event) => event.event === "messages");
    stream.close();
    expect((await api<{ messages: { content: string }[] }>("GET", `/threads/${threadId}/runs/${runId}/join`)).body.messages.at(-1)?.content).toBe("You said: keep going");
    expect(await runStatus(threadId, runId)).toBe("success");

    const next = (await api<{ run_id: string }>("POST", `/threads/${threadId}/runs`, { input: userInput("joined then left") })).body;
    const join = await getStream(`/threads/${threadId}/runs/${next.run_id}/stream?cancel_on_disconnect=1&stream_mode=messages-tuple`);
    await join.next((event) => event.event === "messages");
    join.close();
    await expect.poll(() => runStatus(threadId, next.run_id), { timeout: 30_000 }).toBe("cancelled");
  });

  it("POST …/cancel?wait=1&action=cancel stops a running run; its stream ends with end: cancelled", async () => {
    const threadId = await newThread();
    const run = (await api<{ run_id: string }>("POST", `/threads/${threadId}/runs`, { input: userInput("cancel me while I talk") })).body;
    await using join = await getStream(`/threads/${threadId}/runs/${run.run_id}/stream?stream_mode=messages-tuple`);
    await join.next((event) => event.event === "messages");
    const cancelled = await api<{ status: string }>("POST", `/threads/${threadId}/runs/${run.run_id}/cancel?wait=1&action=cancel`);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe("cancelled");
    expect((await join.untilEnd()).at(-1)).toMatchObject({ event: "end", data: { run_id: run.run_id, status: "cancelled" } });
  });

  it("action=interrupt (LangGraph's default) ends the run interrupted, keeping its progress; a run without input continues it", async () => {
    const threadId = await newThread();
    const run = (await api<{ run_id: string }>("POST", `/threads/${threadId}/runs`, { input: userInput("interrupt me while I talk") })).body;
    await using join = await getStream(`/threads/${threadId}/runs/${run.run_id}/stream?stream_mode=messages-tuple`);
    await join.next((event) => event.event === "messages");
    const stopped = await api<{ status: string }>("POST", `/threads/${threadId}/runs/${run.run_id}/cancel?wait=1`);
    expect(stopped.body.status).toBe("interrupted");
    expect((await join.untilEnd()).at(-1)).toMatchObject({ event: "end", data: { run_id: run.run_id, status: "interrupted" } });
    const thread = await api<{ status: string }>("GET", `/threads/${threadId}`);
    expect(thread.body.status).toBe("interrupted");
    const continued = await api<{ messages: { content: string }[] }>("POST", `/threads/${threadId}/runs/wait`, { input: null });
    expect(continued.body.messages.map((message) => message.content)).toEqual(["interrupt me while I talk", "You said: interrupt me while I talk"]);
    expect((await api<{ status: string }>("GET", `/threads/${threadId}`)).body.status).toBe("idle");
  });

  it("multitask interrupt stops the running run and starts the new one", async () => {
    const threadId = await newThread();
    const first = (await api<{ run_id: string }>("POST", `/threads/${threadId}/runs`, { input: userInput("first words") })).body;
    await using join = await getStream(`/threads/${threadId}/runs/${first.run_id}/stream?stream_mode=messages-tuple`);
    await join.next((event) => event.event === "messages");
    const second = await api<{ messages: { content: string }[] }>("POST", `/threads/${threadId}/runs/wait`, { input: userInput("second words"), multitask_strategy: "interrupt" });
    expect(second.body.messages.at(-1)?.content).toBe("You said: second words");
    expect((await join.untilEnd()).at(-1)).toMatchObject({ event: "end", data: { status: "interrupted" } });
  });
});

describe("human approval over HTTP", () => {
  it("the stream ends interrupted with __interrupt__; command.resume answers it and is recorded", async () => {
    const threadId = await newThread();
    await using asking = await postStream(`/threads/${threadId}/runs/stream`, {
      input: userInput('/tool send_email {"to":"a@b.co","subject":"s","body":"b"}'),
      stream_mode: ["values", "updates"],
    });
    const events = await asking.untilEnd();
    const interrupted = events.filter((event) => event.event === "values").at(-1)?.data as { __interrupt__?: { id: string; value: Record<string, unknown> }[] };
    expect(interrupted.__interrupt__).toEqual([{ id: expect.any(String) as string, value: expect.objectContaining({ kind: "tool_approval", name: "send_email" }) as object }]);
    expect(events.at(-1)).toMatchObject({ event: "end", data: { status: "interrupted" } });
    const runId = (events[0]?.data as { run_id: string }).run_id;
    const joined = await api<{ __interrupt__?: unknown[] }>("GET", `/threads/${threadId}/runs/${runId}/join`);
    expect(joined.body.__interrupt__).toHaveLength(1);

    await using answering = await postStream(`/threads/${threadId}/runs/stream`, { command: { resume: { decision: "approve" } }, stream_mode: ["updates", "values"] });
    const answered = await answering.untilEnd();
    const nodes = answered.filter((event) => event.event === "updates").map((event) => Object.keys(event.data as object)[0]);
    expect(nodes).toEqual(["tools", "model"]);
    expect(answered.at(-1)).toMatchObject({ event: "end", data: { status: "success" } });
    const approvals = await server.services.pool.query<{ decision: string }>("SELECT decision FROM approvals WHERE thread_id = $1", [threadId]);
    expect(approvals.rows).toEqual([{ decision: "approve" }]);
    const outbox = await server.services.pool.query<{ to_address: string }>("SELECT to_address FROM outbox WHERE thread_id = $1", [threadId]);
    expect(outbox.rows).toEqual([{ to_address: "a@b.co" }]);
  });

  it("a command.resume keyed to an interrupt that is not pending answers not_found", async () => {
    const threadId = await newThread();
    await using asking = await postStream(`/threads/${threadId}/runs/stream`, { input: userInput('/tool send_email {"to":"a@b.co","subject":"s","body":"b"}') });
    await asking.untilEnd();
    const refused = await api<{ code: string; message: string }>("POST", `/threads/${threadId}/runs`, { command: { resume: { "no-such-interrupt": { decision: "approve" } } } });
    expect(refused.status).toBe(404);
    expect(refused.body).toMatchObject({ code: "not_found", message: "No pending interrupt no-such-interrupt on this thread" });
  });

  it("a command.resume keeps the body's run options (metadata, webhook, config) on the run that carries the answer", async () => {
    const threadId = await newThread();
    await using asking = await postStream(`/threads/${threadId}/runs/stream`, { input: userInput('/tool send_email {"to":"a@b.co","subject":"s","body":"b"}') });
    await asking.untilEnd();
    const answered = await api<{ run_id: string; metadata: Record<string, unknown>; kwargs: Record<string, unknown> }>("POST", `/threads/${threadId}/runs`, {
      command: { resume: { decision: "reject", reason: "not now" } },
      metadata: { source: "approval-inbox" },
      webhook: "https://hooks.example.com/threadline",
      config: { configurable: { temperature: 0 } },
    });
    expect(answered.status).toBe(200);
    const stored = await server.services.pool.query<{ kind: string; metadata: Record<string, unknown>; webhook: string | null; config: unknown }>(
      "SELECT kind, metadata, webhook, config FROM runs WHERE run_id = $1",
      [answered.body.run_id],
    );
    expect(stored.rows[0]).toMatchObject({ kind: "resume", metadata: { source: "approval-inbox" }, webhook: "https://hooks.example.com/threadline" });
    expect(stored.rows[0]?.config).toMatchObject({ settings: { temperature: 0 } });
  });
});

describe("slow SSE readers", () => {
  it("a client that does not read is dropped instead of buffered without limit", async () => {
    await using slowServer = await startTestServer({ databaseUrl: database.url, env: { WS_MAX_BUFFERED_BYTES: 64 * 1024 } });
    const call = <T>(method: string, path: string, body?: unknown) => requestJson<T>(slowServer.url, { method, path, body });
    const threadId = (await call<{ thread_id: string }>("POST", "/threads", {})).body.thread_id;
    // About 5 MB of history, written straight to the event log: more than socket buffers hold.
    for (let batch = 0; batch < 8; batch += 1) {
      const events = Array.from({ length: 5 }, () => ({ event: "message.delta" as const, data: { message_id: "bulk", text: "长".repeat(40_000) } }));
      await slowServer.services.eventLog.append({ threadId, runId: null, events });
    }

    const outcome = await new Promise<{ complete: boolean; bytes: number }>((resolve, reject) => {
      const request = get(`${slowServer.url}/threads/${threadId}/stream`, { headers: { "Last-Event-ID": "0" } }, (response) => {
        let bytes = 0;
        response.pause();
        setTimeout(() => response.resume(), 1500);
        response.on("data", (chunk: Buffer) => (bytes += chunk.length));
        response.on("close", () => resolve({ complete: response.complete, bytes }));
        response.on("error", () => undefined);
      });
      request.on("error", reject);
    });
    expect(outcome.complete).toBe(false);
    // Everyone else is unaffected.
    expect((await call("GET", `/threads/${threadId}`)).status).toBe(200);
  }, 60_000);
});
