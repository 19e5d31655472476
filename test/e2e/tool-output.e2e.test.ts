import { afterAll, beforeAll, expect, it } from "vitest";
import type { RunningServer } from "../../src/app.js";
import { BUILT_IN_TOOLS } from "../../tools/index.js";
import { bigOutputTool } from "../helpers/slow-tool.js";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database.js";
import { startTestServer } from "../helpers/test-server.js";
import { chat, TestWsClient } from "../helpers/ws-client.js";

const LIMIT = 5_000;
let database: TestDatabase;
let server: RunningServer;

beforeAll(async () => {
  database = await createTestDatabase();
  server = await startTestServer({ databaseUrl: database.url, env: { TOOL_OUTPUT_MAX_CHARS: LIMIT }, tools: [...BUILT_IN_TOOLS, bigOutputTool] });
});
afterAll(async () => {
  await server.close();
  await database.drop();
});

it("cuts a tool's long output at TOOL_OUTPUT_MAX_CHARS, saying so, for the model, the state, the transcript and every window", async () => {
  await using client = await TestWsClient.connect(server.wsUrl);
  const { thread_id: threadId } = await client.call<{ thread_id: string }>("thread.open", {});
  const { runId, final } = await chat(client, threadId, '/tool big_output {"chars": 200000}');
  expect(final.event).toBe("run.completed");
  const completed = await client.waitForEvent("tool.completed", { run_id: runId });
  const output = String(completed.data?.output);
  expect(output.length).toBeLessThanOrEqual(LIMIT);
  expect(output.endsWith("\n[output truncated: 200000 characters in all]")).toBe(true);
  expect(output.startsWith("汉x汉x")).toBe(true);

  const history = await client.call<{ messages: { role: string; content: string }[] }>("messages.list", { thread_id: threadId });
  expect(history.messages.find((message) => message.role === "tool")?.content).toBe(output);
  const state = await client.call<{ values: { messages: { type: string; content: string }[] } }>("state.get", { thread_id: threadId });
  expect(state.values.messages.find((message) => message.type === "tool")?.content).toBe(output);

  // Another window replays the whole thread from its start.
  await using other = await TestWsClient.connect(server.wsUrl);
  await other.call("subscription.subscribe", { thread_id: threadId, since: 0 });
  const replayed = await other.waitForEvent("run.completed", { run_id: runId });
  expect(replayed).toBeDefined();
});
