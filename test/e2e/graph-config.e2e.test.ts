import { describe, expect, it } from "vitest";
import { useGraphsTestServer } from "../helpers/graphs-test-server.js";
import { requestJson, userInput } from "./http-runs-support.js";

// What a developer's graph is given, node and factory (test/helpers/config-echo-graph.ts answers with it): its run's
// context as given, and the configurable of its assistant and run, as on LangGraph Platform.

const fixture = useGraphsTestServer("./config-graphs.langgraph.json");

type Seen = { context: Record<string, unknown>; configurable: Record<string, unknown> };

/** Run `assistantId` on a new thread with `body`'s fields; what its node (and factory, if it is one) saw. */
async function seenBy(assistantId: string, body: Record<string, unknown> = {}): Promise<{ node: Seen; factory?: Seen; threadId: string }> {
  const thread = await fixture.sdk.threads.create();
  const answer = await requestJson<{ messages?: { content: string }[] }>(fixture.server.url, { method: "POST", path: `/threads/${thread.thread_id}/runs/wait`, body: { assistant_id: assistantId, input: userInput("what do you see?"), ...body } });
  expect(answer.status).toBe(200);
  return { ...(JSON.parse(answer.body.messages?.at(-1)?.content ?? "{}") as { node: Seen; factory?: Seen }), threadId: thread.thread_id };
}

describe("a graph's config.context", () => {
  it("is the run's context — the assistant's keys with the run's over them — and nothing of Threadline's runtime", async () => {
    const assistant = await fixture.sdk.assistants.create({ graphId: "echo-factory", context: { greeting: "hej", level: 3 } });
    // Keys that were once Threadline's own in config.context: the run's values must reach the node as given.
    const context = { level: 9, systemPrompt: "MINE", toolContext: "my-tool-context", contextBudget: "mine", model: "fake" };
    const { node, factory } = await seenBy(assistant.assistant_id, { context });
    expect(node.context).toEqual({ greeting: "hej", ...context });
    expect(factory?.context).toEqual(node.context);
    // The default assistant has no context: its graph gets an empty one (not the model, tools and pool).
    expect((await seenBy("echo")).node.context).toEqual({});
  });

  it("the chat graph still gets its model and tools (kept out of config.context)", async () => {
    const thread = await fixture.sdk.threads.create();
    const values = (await fixture.sdk.runs.wait(thread.thread_id, "chat", { input: userInput('/tool calculator {"expression":"6*7"}') })) as { messages: { content: string }[] };
    expect(values.messages.map((message) => message.content)).toEqual(['/tool calculator {"expression":"6*7"}', "", "42", "Tool calculator returned: 42"]);
  });
});
