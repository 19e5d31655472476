import { afterEach, expect, it, vi } from "vitest";
import { useTestServer } from "../helpers/test-server.js";
import { chat, TestWsClient } from "../helpers/ws-client.js";

const fixture = useTestServer();
afterEach(() => vi.restoreAllMocks());

/** Statements reading checkpoints (ThreadlineSaver's `getTuple` / `list`) while `body` runs. */
async function checkpointReadsDuring(body: () => Promise<unknown>): Promise<number> {
  // Spied, not replaced: every query still runs; the calls are counted afterwards.
  const spy = vi.spyOn(fixture.server.services.pool, "query");
  await body();
  await fixture.server.services.active.drain(10_000);
  const reads = spy.mock.calls.filter(([text]) => typeof text === "string" && text.startsWith("SELECT cp.thread_id")).length;
  vi.restoreAllMocks();
  return reads;
}

it("a thread's first run does not read the checkpoint its claim found absent; later runs do, and see the first", async () => {
  await using client = await TestWsClient.connect(fixture.server.wsUrl);
  const { thread_id: threadId } = await client.call<{ thread_id: string }>("thread.open", {});
  expect(await checkpointReadsDuring(() => chat(client, threadId, "first"))).toBe(0);
  expect(await checkpointReadsDuring(() => chat(client, threadId, "second"))).toBeGreaterThan(0);
  const state = await client.call<{ values: { messages: { content: string }[] } }>("state.get", { thread_id: threadId });
  expect(state.values.messages.map((message) => message.content)).toEqual(["first", "You said: first", "second", "You said: second"]);
});
