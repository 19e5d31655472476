import { describe, expect, it } from "vitest";
import { useGraphsTestServer } from "../helpers/graphs-test-server.js";
import { requestJson } from "./http-runs-support.js";

// A node's exception as LangGraph Platform reports it (test/helpers/failing-graphs.ts): the error's class name in
// the stream's `error` event and in `__error__`, where Threadline said "internal" (read as a server bug). The run
// keeps its Threadline code, with the class name beside it.

const fixture = useGraphsTestServer("./loading-graphs.langgraph.json");

async function wait(graphId: string, config?: Record<string, unknown>): Promise<{ threadId: string; body: Record<string, unknown> }> {
  const thread = await fixture.sdk.threads.create({ graphId });
  const answer = await requestJson<Record<string, unknown>>(fixture.server.url, { method: "POST", path: `/threads/${thread.thread_id}/runs/wait`, body: { assistant_id: graphId, input: { n: 1 }, ...(config ? { config } : {}) } });
  expect(answer.status).toBe(200);
  return { threadId: thread.thread_id, body: answer.body };
}

describe("a node's exception", () => {
  it("keeps its class name: __error__, the stream's error event and the run's error", async () => {
    const { threadId, body } = await wait("throwing");
    expect(body.__error__).toEqual({ error: "MyCustomError", message: "the custom node failed" });
    const [run] = await fixture.sdk.runs.list(threadId);
    expect(run?.status).toBe("error");
    expect((run as unknown as { error: unknown }).error).toEqual({ code: "internal", message: "the custom node failed", name: "MyCustomError" });

    const streamed: { event: string; data: unknown }[] = [];
    for await (const part of fixture.sdk.runs.stream(threadId, "throwing", { input: { n: 1 }, streamMode: "values" })) streamed.push(part);
    expect(streamed.at(-1)).toMatchObject({ event: "error", data: { error: "MyCustomError", message: "the custom node failed" } });
  });

  it("an error class without a name of its own is named by its constructor", async () => {
    expect((await wait("unnamed")).body.__error__).toEqual({ error: "QuotaExceeded", message: "quota exceeded" });
  });

  it("LangGraph's GraphRecursionError is reported as such", async () => {
    const { body } = await wait("looping", { recursion_limit: 3 });
    expect(body.__error__).toMatchObject({ error: "GraphRecursionError", message: expect.stringMatching(/recursion limit of 3/i) as string });
  });
});
