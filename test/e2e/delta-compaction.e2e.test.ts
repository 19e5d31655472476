import { describe, expect, it } from "vitest";
import { useTestServer } from "../helpers/test-server.js";
import { chat, type Frame, TestWsClient } from "../helpers/ws-client.js";
import { SseClient } from "./http-runs-support.js";

// 0: the sweep compacts every delta of a completed message it finds (the default waits an hour).
const context = useTestServer({ env: { EVENT_DELTA_RETENTION_MINUTES: 0, FAKE_REPLY_MIN_CHARS: 400 } });

const deltaText = (frames: Frame[]) =>
  frames
    .filter((frame) => frame.event === "message.delta")
    .map((frame) => (frame.data as { text: string }).text)
    .join("");

describe("token deltas compacted by the lifecycle sweep", () => {
  it("leave the reply whole in the event log: a window replaying it, the transcript and a resumed SSE stream agree", async () => {
    const { server } = context;
    await using writer = await TestWsClient.connect(server.wsUrl);
    const { thread_id: threadId } = await writer.call<{ thread_id: string }>("thread.open", {});
    const { runId } = await chat(writer, threadId, "Tell me a long story about a harbor");
    const live = writer.events(threadId);
    const streamed = deltaText(live);
    expect(live.filter((frame) => frame.event === "message.delta").length).toBeGreaterThanOrEqual(2);
    await server.services.active.drain(10_000);

    const swept = await server.services.lifecycle.sweep();
    expect(swept.deltas_compacted).toBe(live.filter((frame) => frame.event === "message.delta").length);

    // A window replaying the thread from the start: every event but the deltas, same seqs, the reply in one piece.
    await using viewer = await TestWsClient.connect(server.wsUrl);
    await viewer.call("subscription.subscribe", { thread_id: threadId, since: 0 });
    const replayed = await viewer.waitForEvent("run.completed", { thread_id: threadId }).then(() => viewer.events(threadId));
    expect(replayed.map((frame) => `${frame.seq} ${frame.event}`)).toEqual(live.filter((frame) => frame.event !== "message.delta").map((frame) => `${frame.seq} ${frame.event}`));
    const reply = replayed.find((frame) => frame.event === "message.completed" && (frame.data as { message: { role: string } }).message.role === "assistant");
    expect((reply?.data as { message: { content: string } }).message.content).toBe(streamed);

    const page = await viewer.call<{ messages: { role: string; content: string }[] }>("messages.list", { thread_id: threadId, limit: 10 });
    expect(page.messages.map((message) => message.content)).toEqual(["Tell me a long story about a harbor", streamed]);

    // LangGraph's stream from the start (what the SDK's joinStream replays): the reply's text arrives as one chunk.
    await using sse = await SseClient.open(`${server.url}/threads/${threadId}/runs/${runId}/stream?stream_mode=messages-tuple`, { headers: { "Last-Event-ID": "-1" } });
    const tuples = (await sse.untilEnd()).filter((event) => event.event === "messages");
    const text = tuples.map((event) => (event.data as [{ type: string; content: string }])[0]).filter((chunk) => chunk.type === "AIMessageChunk" || chunk.type === "ai").map((chunk) => chunk.content).join("");
    expect(text).toBe(streamed);

    // Nothing left to compact; the next turn streams as before and numbers its events after the compacted ones.
    expect((await server.services.lifecycle.sweep()).deltas_compacted).toBe(0);
    const next = await chat(writer, threadId, "And then?");
    expect(next.final.seq).toBeGreaterThan(live.at(-1)?.seq ?? 0);
    expect(deltaText(writer.events(threadId).filter((frame) => frame.run_id === next.runId)).length).toBeGreaterThan(0);
  });
});
