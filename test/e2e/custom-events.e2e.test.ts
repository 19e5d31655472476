import { Writable } from "node:stream";
import { fileURLToPath } from "node:url";
import { Client } from "@langchain/langgraph-sdk";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningServer } from "../../src/app.js";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database.js";
import { startTestServer } from "../helpers/test-server.js";
import { chat, type Frame, TestWsClient } from "../helpers/ws-client.js";

// A graph's custom stream chunks (`config.writer`) reach clients as `custom` events, stored like every run event
// and in stream order; the chat graph's tool-start announcements stay `tool.started`; a chunk that cannot be stored
// is dropped with a warning and the run goes on; past the run's cap (RUN_CUSTOM_EVENTS_MAX, 5 here) every chunk is
// dropped, told once by `custom.capped` and a warning (docs/protocol.md).

interface Part {
  event: string;
  data: unknown;
}

const GRAPHS = fileURLToPath(new URL("../helpers/progress-graphs.langgraph.json", import.meta.url));
const PROGRESS = [{ stage: "started", asked: "go" }, { stage: "replied", progress: 0.5 }, "done"];
const CAP = 5;

let database: TestDatabase;
let server: RunningServer;
const warnings: Record<string, unknown>[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  const logs = new Writable({
    write(line: Buffer, _encoding, done) {
      warnings.push(JSON.parse(line.toString()) as Record<string, unknown>);
      done();
    },
  });
  server = await startTestServer({ databaseUrl: database.url, env: { LANGGRAPH_CONFIG: GRAPHS, RUN_CUSTOM_EVENTS_MAX: CAP }, logger: pino({ level: "warn" }, logs) });
});
afterAll(async () => {
  await server.close();
  await database.drop();
});

async function progressThread(client: TestWsClient): Promise<string> {
  return (await client.call<{ thread_id: string }>("thread.open", { assistant_id: "progress" })).thread_id;
}

/** One run's events as `event[:detail]`, in seq order, consecutive deltas as one `message.delta…`. */
function timeline(frames: Frame[], runId: string): string[] {
  const entries = frames
    .filter((frame) => frame.type === "event" && frame.run_id === runId)
    .sort((left, right) => Number(left.seq) - Number(right.seq))
    .map((frame) => {
      if (frame.event === "custom") return "custom";
      if (frame.event === "message.completed") return `message.completed:${(frame.data as { message: { role: string } }).message.role}`;
      return frame.event ?? "";
    });
  return entries.map((entry) => (entry === "message.delta" ? "message.delta…" : entry)).filter((entry, index, all) => entry !== "message.delta…" || all[index - 1] !== entry);
}

function customFrames(frames: Frame[], runId: string): Frame[] {
  return frames.filter((frame) => frame.event === "custom" && frame.run_id === runId).sort((left, right) => Number(left.seq) - Number(right.seq));
}

async function collect(parts: AsyncIterable<Part>): Promise<Part[]> {
  const seen: Part[] = [];
  for await (const part of parts) seen.push(part);
  return seen;
}

describe("custom events", () => {
  it("reach a WebSocket subscriber in stream order between deltas and completed messages, and replay with since", async () => {
    await using client = await TestWsClient.connect(server.wsUrl);
    const threadId = await progressThread(client);
    const { runId, final } = await chat(client, threadId, "go");
    expect(final.event).toBe("run.completed");
    expect(timeline(client.frames, runId)).toEqual([
      "run.started",
      "message.completed:user",
      "custom",
      "message.delta…",
      "custom",
      "message.completed:assistant",
      "custom",
      "message.completed:assistant",
      "run.completed",
    ]);
    const live = customFrames(client.frames, runId);
    expect(live.map((frame) => frame.data)).toEqual(PROGRESS.map((data) => ({ run_id: runId, data })));

    await using later = await TestWsClient.connect(server.wsUrl);
    await later.call("subscription.subscribe", { thread_id: threadId, since: 0 });
    await later.waitFor((frame) => frame.event === "run.completed" && frame.run_id === runId);
    expect(customFrames(later.frames, runId)).toEqual(live);
    expect(timeline(later.frames, runId)).toEqual(timeline(client.frames, runId));
  });

  it("are LangGraph's custom SSE events through the SDK: stream_mode custom, and a join's default modes", async () => {
    const sdk = new Client({ apiUrl: server.url, apiKey: null });
    const thread = await sdk.threads.create({ graphId: "progress" });
    let runId = "";
    const parts = await collect(
      sdk.runs.stream(thread.thread_id, "progress", { input: { messages: [{ role: "user", content: "go" }] }, streamMode: "custom", onRunCreated: (meta) => void (runId = meta.run_id) }),
    );
    expect(parts.map((part) => part.event)).toEqual(["metadata", "custom", "custom", "custom", "end"]);
    expect(parts.filter((part) => part.event === "custom").map((part) => part.data)).toEqual(PROGRESS);

    // Joining without stream_mode streams values, updates, messages-tuple and custom, in the run's order.
    const joined = await collect(sdk.runs.joinStream(thread.thread_id, runId));
    expect(joined.filter((part) => part.event === "custom").map((part) => part.data)).toEqual(PROGRESS);
    const order = joined.map((part) => part.event).filter((event) => event === "custom" || event === "updates");
    expect(order).toEqual(["custom", "custom", "updates", "custom", "updates"]);
  });

  it("never carry the chat graph's tool-start announcements: those are tool.started", async () => {
    await using client = await TestWsClient.connect(server.wsUrl);
    const threadId = (await client.call<{ thread_id: string }>("thread.open", {})).thread_id;
    const { runId, final } = await chat(client, threadId, '/tool calculator {"expression":"6*7"}');
    expect(final.event).toBe("run.completed");
    const events = client.frames.filter((frame) => frame.run_id === runId).map((frame) => frame.event);
    expect(events).toContain("tool.started");
    expect(events).not.toContain("custom");

    const sdk = new Client({ apiUrl: server.url, apiKey: null });
    const parts = await collect(sdk.runs.stream(threadId, "chat", { input: { messages: [{ role: "user", content: '/tool calculator {"expression":"1+1"}' }] }, streamMode: ["custom", "tools"] }));
    expect(parts.map((part) => part.event)).toEqual(["metadata", "tools", "tools", "end"]);
  });

  it.each([
    ["oversized", "too_large"],
    ["bigint", "unserialisable"],
    ["circular", "unserialisable"],
    ["undefined", "unserialisable"],
    ["deep", "too_deep"],
  ])("a chunk %s is dropped with a warning (%s); the run and its other chunks go on", async (asked, reason) => {
    await using client = await TestWsClient.connect(server.wsUrl);
    const threadId = await progressThread(client);
    const { runId, final } = await chat(client, threadId, asked);
    expect(final.event).toBe("run.completed");
    expect(customFrames(client.frames, runId).map((frame) => frame.data)).toEqual([{ stage: "started", asked }, PROGRESS[1], PROGRESS[2]].map((data) => ({ run_id: runId, data })));
    expect(warnings.filter((line) => line.runId === runId)).toEqual([expect.objectContaining({ msg: "custom stream chunk dropped", reason, graphId: "progress", threadId })]);
  });

  it("text Postgres cannot store reaches clients as U+FFFD, as model output does", async () => {
    await using client = await TestWsClient.connect(server.wsUrl);
    const threadId = await progressThread(client);
    const { runId } = await chat(client, threadId, "unstorable");
    expect(customFrames(client.frames, runId)[0]?.data).toEqual({ run_id: runId, data: { text: "nul\uFFFD and lone \uFFFD" } });
  });

  it("past the run's cap, chunks are dropped: one custom.capped event, one warning, and the run goes on; each run has its own cap", async () => {
    await using client = await TestWsClient.connect(server.wsUrl);
    const threadId = await progressThread(client);
    for (let attempt = 0; attempt < 2; attempt += 1) {
      const { runId, final } = await chat(client, threadId, "flood");
      expect(final.event).toBe("run.completed");
      expect(customFrames(client.frames, runId).map((frame) => frame.data)).toEqual([0, 1, 2, 3, 4].map((index) => ({ run_id: runId, data: { index } })));
      const capped = client.frames.filter((frame) => frame.event === "custom.capped" && frame.run_id === runId);
      expect(capped.map((frame) => frame.data)).toEqual([{ run_id: runId, limit: CAP }]);
      // Told where the first chunk was dropped: right after the last one kept.
      expect(timeline(client.frames, runId).slice(0, 9)).toEqual(["run.started", "message.completed:user", "custom", "custom", "custom", "custom", "custom", "custom.capped", "message.delta…"]);
      expect(warnings.filter((line) => line.runId === runId)).toEqual([expect.objectContaining({ msg: "custom stream chunks past the run's limit dropped", reason: "run_limit", limit: CAP, graphId: "progress", threadId })]);
    }

    // What was stored is what went out: a replay has the same five chunks and the one notice, and so has the SSE stream.
    await using later = await TestWsClient.connect(server.wsUrl);
    await later.call("subscription.subscribe", { thread_id: threadId, since: 0 });
    const runIds = [...new Set(client.frames.filter((frame) => frame.event === "run.completed").map((frame) => frame.run_id ?? ""))];
    await later.waitFor((frame) => frame.event === "run.completed" && frame.run_id === runIds.at(-1));
    expect(later.frames.filter((frame) => frame.event === "custom" || frame.event === "custom.capped").map((frame) => frame.event)).toEqual(
      [...Array<string>(CAP).fill("custom"), "custom.capped", ...Array<string>(CAP).fill("custom"), "custom.capped"],
    );
    const sdk = new Client({ apiUrl: server.url, apiKey: null });
    const parts = await collect(sdk.runs.joinStream(threadId, runIds[0] ?? "", { streamMode: "custom" }));
    expect(parts.map((part) => part.event)).toEqual(["metadata", ...Array<string>(CAP).fill("custom"), "end"]);
  });
});
