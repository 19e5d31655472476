import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { type RunBody, streamedText, useHttpRunsServer, type Values } from "./http-runs-fixture.js";
import { userInput } from "./http-runs-support.js";

// Stateless runs (POST /runs…: a thread of their own, deleted after unless kept) and if_not_exists.
const fixture = useHttpRunsServer();
const { alice, newThread, openStream } = fixture;
const server = () => fixture.server();
describe("stateless runs", () => {
  it("POST /runs/wait answers values and deletes its thread; on_completion keep keeps it", async () => {
    const waited = await alice()<Values>("POST", "/runs/wait", { assistant_id: "chat", input: userInput("no thread") });
    expect(waited.status).toBe(200);
    expect(waited.body.messages.at(-1)?.content).toBe("You said: no thread");
    const threadId = /\/threads\/([^/]+)\//.exec(waited.headers.get("content-location") ?? "")?.[1];
    expect((await alice()("GET", `/threads/${threadId}`)).status).toBe(404);

    const kept = await alice()<Values>("POST", "/runs/wait", { input: userInput("keep it"), on_completion: "keep" });
    const keptThread = /\/threads\/([^/]+)\//.exec(kept.headers.get("content-location") ?? "")?.[1];
    expect((await alice()("GET", `/threads/${keptThread}`)).status).toBe(200);
  });

  it("POST /runs/stream streams a run and removes the thread after it", async () => {
    await using stream = await openStream("/runs/stream", { input: userInput("stateless stream"), stream_mode: "messages-tuple" });
    const events = await stream.untilEnd();
    expect(streamedText(events)).toBe("You said: stateless stream");
    const threadId = /\/threads\/([^/]+)\//.exec(stream.response.headers.get("content-location") ?? "")?.[1];
    await expect.poll(async () => (await alice()("GET", `/threads/${threadId}`)).status, { timeout: 20_000 }).toBe(404);
  });

  it("a stateless run that stops for an approval keeps its thread, and the question can be answered there", async () => {
    const asking = userInput('/tool send_email {"to":"s@l.co","subject":"x","body":"b"}');
    const waited = await alice()<Values & { __interrupt__?: unknown[] }>("POST", "/runs/wait", { assistant_id: "chat", input: asking });
    expect(waited.body.__interrupt__).toHaveLength(1);
    const threadId = /\/threads\/([^/]+)\//.exec(waited.headers.get("content-location") ?? "")?.[1];
    expect((await alice()("GET", `/threads/${threadId}`)).status).toBe(200);
    const answered = await alice()<Values>("POST", `/threads/${threadId}/runs/wait`, { command: { resume: { decision: "approve" } } });
    expect(answered.status).toBe(200);
    expect(answered.body.messages.some((message) => message.type === "tool" && message.content.includes("s@l.co"))).toBe(true);
    // Kept for a day without activity (STATELESS_KEEP_MINUTES), answered or not; then the sweep deletes it.
    expect(await server().services.lifecycle.getTtl(threadId ?? "")).toEqual({ strategy: "delete", ttl: 1440 });
    await server().services.pool.query("UPDATE threads SET last_activity_at = now() - interval '25 hours' WHERE thread_id = $1", [threadId]);
    await server().services.lifecycle.sweep();
    expect((await alice()("GET", `/threads/${threadId}`)).status).toBe(404);

    await using stream = await openStream("/runs/stream", { input: asking, stream_mode: "values" });
    await stream.untilEnd();
    const streamed = /\/threads\/([^/]+)\//.exec(stream.response.headers.get("content-location") ?? "")?.[1];
    expect((await alice()<{ status: string }>("GET", `/threads/${streamed}`)).body.status).toBe("interrupted");

    const background = await alice()<RunBody>("POST", "/runs", { input: asking });
    const joined = await alice()<Values & { __interrupt__?: unknown[] }>("GET", `/threads/${background.body.thread_id}/runs/${background.body.run_id}/join`);
    expect(joined.body.__interrupt__).toHaveLength(1);
    // The deletion after the run is best effort in the background: give it time to (wrongly) happen.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await alice()("GET", `/threads/${background.body.thread_id}`)).status).toBe(200);
  });

  it("POST /runs creates a background run on a new thread", async () => {
    const created = await alice()<RunBody>("POST", "/runs", { input: userInput("background, stateless"), on_completion: "keep" });
    expect(created.status).toBe(200);
    const joined = await alice()<Values>("GET", `/threads/${created.body.thread_id}/runs/${created.body.run_id}/join`);
    expect(joined.body.messages.at(-1)?.content).toBe("You said: background, stateless");
  });
});

describe("if_not_exists", () => {
  it("reject (the default) answers not_found; create makes the thread with that id", async () => {
    const threadId = randomUUID();
    expect((await alice()<{ code: string }>("POST", `/threads/${threadId}/runs/wait`, { input: userInput("hi") })).body.code).toBe("not_found");
    const created = await alice()<Values>("POST", `/threads/${threadId}/runs/wait`, { input: userInput("hi"), if_not_exists: "create" });
    expect(created.status).toBe(200);
    expect(created.body.messages.at(-1)?.content).toBe("You said: hi");
    expect((await alice()("GET", `/threads/${threadId}`)).status).toBe(200);
  });

  it("a command.resume on a thread where nothing is pending answers not_found and creates no run", async () => {
    const threadId = await newThread();
    expect((await alice()("POST", `/threads/${threadId}/runs/wait`, { input: userInput("hi") })).status).toBe(200);
    for (const resume of [{ approved: true }, { "00000000-0000-4000-8000-000000000000": { approved: true } }]) {
      const refused = await alice()<{ code: string; message: string }>("POST", `/threads/${threadId}/runs`, { command: { resume } });
      expect(refused.status).toBe(404);
      expect(refused.body).toMatchObject({ code: "not_found", message: expect.stringContaining("Nothing to resume") as unknown });
    }
    expect((await alice()<RunBody[]>("GET", `/threads/${threadId}/runs`)).body).toHaveLength(1);
  });

  it("create does not bring a deleted thread's id back (its tombstone would drop every checkpoint of the new thread)", async () => {
    const threadId = randomUUID();
    expect((await alice()("POST", `/threads/${threadId}/runs/wait`, { input: userInput("first life"), if_not_exists: "create" })).status).toBe(200);
    expect((await alice()("DELETE", `/threads/${threadId}`)).status).toBe(204);
    for (const path of [`/threads/${threadId}/runs/wait`, `/threads/${threadId}/runs`]) {
      const again = await alice()<{ code: string; message: string }>("POST", path, { input: userInput("second life"), if_not_exists: "create" });
      expect(again.status).toBe(409);
      expect(again.body).toMatchObject({ code: "conflict", message: `Thread ${threadId} was deleted; its id cannot be reused` });
    }
    expect((await alice()("GET", `/threads/${threadId}`)).status).toBe(404);
  });
});

