import { afterEach, expect, it, vi } from "vitest";
import { useTestServer } from "../helpers/test-server.js";
import { chat, TestWsClient } from "../helpers/ws-client.js";

// Replies stream slowly enough for a second message to queue behind the first.
const fixture = useTestServer({ env: { FAKE_CHUNK_DELAY_MS: 40 } });
afterEach(() => vi.restoreAllMocks());

it("a finished run with nothing queued behind it claims nothing; one with a queued run starts it", async () => {
  const { services } = fixture.server;
  const dispatch = vi.spyOn(services.dispatcher, "dispatch");
  await using client = await TestWsClient.connect(fixture.server.wsUrl);
  const { thread_id: threadId } = await client.call<{ thread_id: string }>("thread.open", {});

  await chat(client, threadId, "alone");
  await services.active.drain(10_000);
  expect(dispatch).not.toHaveBeenCalled();

  const first = await client.call<{ run_id: string }>("run.start", { thread_id: threadId, input: { messages: [{ role: "user", content: "first" }] } });
  const second = await client.call<{ run_id: string; status: string }>("run.start", { thread_id: threadId, input: { messages: [{ role: "user", content: "second" }] } });
  expect(second.status).toBe("pending");
  const done = await client.waitFor((frame) => frame.run_id === second.run_id && frame.event === "run.completed", 20_000);
  expect(done.event).toBe("run.completed");
  expect(dispatch).toHaveBeenCalledWith(threadId);
  const started = client.events(threadId).filter((frame) => frame.event === "run.started").map((frame) => frame.run_id);
  expect(started.slice(-2)).toEqual([first.run_id, second.run_id]);
});
