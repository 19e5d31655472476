import { describe, expect, it } from "vitest";
import { LOCAL_USER } from "../../src/auth/user.js";
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

describe("a graph's config.configurable", () => {
  it("holds the assistant's and the run's own keys (the run's win) and the run's ids, in the factory and every node", async () => {
    // Settings given in configurable (instructions) go to config.context; Threadline's own keys cannot be set.
    const assistant = await fixture.sdk.assistants.create({ graphId: "echo-factory", config: { configurable: { my_setting: "A", shared: "assistant", instructions: "Be brief.", thread_id: "forged" } } });
    const forged = { user_id: "mallory", graph_id: "chat", run_id: "forged", checkpoint_ns: "forged", __threadline_write_gate: "forged", langgraph_auth_user: "mallory" };
    const { node, factory, threadId } = await seenBy(assistant.assistant_id, { config: { configurable: { run_setting: "R", shared: "run", ...forged } } });
    const ids = { thread_id: threadId, assistant_id: assistant.assistant_id, graph_id: "echo-factory", run_id: expect.any(String) as unknown, user_id: LOCAL_USER.id };
    expect(node.configurable).toEqual({ my_setting: "A", shared: "run", run_setting: "R", ...ids });
    expect(node.context).toEqual({ instructions: "Be brief." });
    // The factory gets the settings in configurable too, as it always did.
    expect(factory?.configurable).toEqual({ instructions: "Be brief.", my_setting: "A", shared: "run", run_setting: "R", ...ids });
    expect(node.configurable.run_id).not.toBe("forged");
    // The run shows what it was given (LangGraph's kwargs.config).
    const [run] = await fixture.sdk.runs.list(threadId);
    expect((run as unknown as { kwargs: { config: unknown } }).kwargs.config).toEqual({ configurable: { run_setting: "R", shared: "run", thread_id: threadId } });
    // A compiled graph's nodes get the same ids (they had thread_id and run_id only).
    const plain = await seenBy("echo");
    expect(plain.node.configurable).toEqual({ thread_id: plain.threadId, assistant_id: "echo", graph_id: "echo", run_id: expect.any(String) as unknown, user_id: LOCAL_USER.id });
  });

  it("an assistant's config.recursion_limit bounds its runs, unless a run sets its own; a bad one is refused", async () => {
    // model → tools → model: three super-steps.
    const assistant = await fixture.sdk.assistants.create({ graphId: "chat", config: { recursion_limit: 2 } });
    expect(assistant.config).toEqual({ recursion_limit: 2 });
    const thread = await fixture.sdk.threads.create();
    const toolCall = userInput('/tool calculator {"expression":"1+1"}');
    const limited = await requestJson<{ __error__?: { message: string } }>(fixture.server.url, { method: "POST", path: `/threads/${thread.thread_id}/runs/wait`, body: { assistant_id: assistant.assistant_id, input: toolCall } });
    expect(limited.body.__error__?.message).toMatch(/recursion limit of 2/i);
    const own = await requestJson<{ messages?: { content: string }[] }>(fixture.server.url, { method: "POST", path: `/threads/${thread.thread_id}/runs/wait`, body: { assistant_id: assistant.assistant_id, input: toolCall, config: { recursion_limit: 10 } } });
    expect(own.body.messages?.at(-1)?.content).toBe("Tool calculator returned: 2");
    const refused = await requestJson(fixture.server.url, { method: "POST", path: "/assistants", body: { graph_id: "chat", config: { recursion_limit: "many" } } });
    expect(refused.status).toBe(400);
  });
});
