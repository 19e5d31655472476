import { describe, expect, it } from "vitest";
import { endStreamsAtUsage } from "./openai-stream-end.js";

/** A fetch answering with `pieces` as the body's chunks, each a separate read. */
function answering(pieces: (string | Uint8Array)[], contentType = "text/event-stream") {
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const piece of pieces) controller.enqueue(typeof piece === "string" ? encoder.encode(piece) : piece);
      controller.close();
    },
  });
  return () => Promise.resolve(new Response(body, { headers: { "content-type": contentType } }));
}

const usageChunk = JSON.stringify({ id: "c1", object: "chat.completion.chunk", choices: [], usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 } });

describe("endStreamsAtUsage", () => {
  it("ends the stream after the usage-only chunk, with [DONE], whatever the line endings and chunk boundaries", async () => {
    const content = `data: ${JSON.stringify({ choices: [{ index: 0, delta: { content: "héllo" } }], usage: null })}\r\n\r\n`;
    const bytes = new TextEncoder().encode(content);
    // "é" split between two reads, the usage chunk split in the middle of its JSON.
    const split = content.indexOf("é") + 1;
    const fetchUntilUsage = endStreamsAtUsage(answering([bytes.slice(0, split), bytes.slice(split), `data: ${usageChunk.slice(0, 20)}`, `${usageChunk.slice(20)}\r\n\r\n`, "data: never read\n\n"]));
    const text = await (await fetchUntilUsage("http://provider/v1/chat/completions")).text();
    expect(text).toBe(`${content}data: ${usageChunk}\r\n\r\ndata: [DONE]\n\n`);
  });

  it("passes a stream without a usage chunk through whole, and leaves other responses alone", async () => {
    const events = ['data: {"choices":[{"index":0,"delta":{"content":"a"}}],"usage":{"prompt_tokens":1}}\n\n', "data: [DONE]\n\n", "trailing"];
    expect(await (await endStreamsAtUsage(answering(events))("http://provider")).text()).toBe(events.join(""));
    const json = `{"choices":[],"usage":{"prompt_tokens":1}}\n\n{"more":1}`;
    expect(await (await endStreamsAtUsage(answering([json], "application/json"))("http://provider")).text()).toBe(json);
  });

  it("ends a stream that stays silent after its finish chunk (no usage chunk, no [DONE]) within the grace, and waits for a usage chunk that comes", async () => {
    const encoder = new TextEncoder();
    const finish = `data: ${JSON.stringify({ choices: [{ index: 0, delta: {}, finish_reason: "stop" }] })}\n\n`;
    const hanging = (pieces: string[]) => () =>
      Promise.resolve(
        new Response(
          new ReadableStream<Uint8Array>({
            start(controller) {
              for (const piece of pieces) controller.enqueue(encoder.encode(piece));
              // Never closed: the provider holds the connection open.
            },
          }),
          { headers: { "content-type": "text/event-stream" } },
        ),
      );
    expect(await (await endStreamsAtUsage(hanging([finish]), { timeoutMs: 200 })("http://provider")).text()).toBe(`${finish}data: [DONE]\n\n`);
    const withUsage = await (await endStreamsAtUsage(hanging([finish, `data: ${usageChunk}\n\n`]), { timeoutMs: 200 })("http://provider")).text();
    expect(withUsage).toBe(`${finish}data: ${usageChunk}\n\ndata: [DONE]\n\n`);
  });
});
