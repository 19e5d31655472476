import { describe, expect, it } from "vitest";
import { useGraphsTestServer } from "../helpers/graphs-test-server.js";
import { requestJson } from "./http-runs-support.js";

// Graph modules as LangGraph Platform's JS loader takes them (test/helpers/loading-graphs.ts): an async factory and
// an exported promise are awaited; a factory that fails answers a typed error naming the graph, on every route; a
// file declared without `:export` is its default export.

const fixture = useGraphsTestServer("./loading-graphs.langgraph.json");

async function request(method: string, path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  return requestJson<Record<string, unknown>>(fixture.server.url, { method, path, body });
}

describe("an async graph factory and a graph exported as a promise", () => {
  it.each(["async-factory", "promised"])("%s runs, and its state, drawing and schemas are read", async (graphId) => {
    const thread = await fixture.sdk.threads.create({ graphId });
    expect(await fixture.sdk.runs.wait(thread.thread_id, graphId, { input: { n: 1 } })).toEqual({ n: 2 });
    expect((await fixture.sdk.threads.getState(thread.thread_id)).values).toEqual({ n: 2 });
    expect((await request("GET", `/assistants/${graphId}/graph`)).status).toBe(200);
    expect(await request("GET", `/assistants/${graphId}/schemas`)).toMatchObject({ status: 200, body: { graph_id: graphId } });
  });
});

describe("a graph declared by its file alone", () => {
  it("is the file's default export, as LangGraph Platform's loader takes it (the declaration was refused)", async () => {
    const thread = await fixture.sdk.threads.create({ graphId: "default-export" });
    expect(await fixture.sdk.runs.wait(thread.thread_id, "default-export", { input: { greeting: "hi" } })).toEqual({ greeting: "hello from the default export" });
  });
});

describe("a graph factory that fails", () => {
  it.each([
    ["throwing-factory", "factory exploded"],
    ["rejecting-factory", "no API key for the tool"],
  ])("%s: every route answers an error naming the graph and why (it was a bare Internal error)", async (graphId, why) => {
    const thread = await fixture.sdk.threads.create({ graphId });
    const expected = { code: "internal", message: `Graph ${graphId}: its factory failed: ${why}` };
    expect(await request("POST", `/threads/${thread.thread_id}/runs/wait`, { assistant_id: graphId, input: { n: 1 } })).toMatchObject({ status: 500, body: expected });
    expect(await request("GET", `/threads/${thread.thread_id}/state`)).toMatchObject({ status: 500, body: expected });
    expect(await request("GET", `/assistants/${graphId}/graph`)).toMatchObject({ status: 500, body: expected });
    expect(await request("GET", `/assistants/${graphId}/schemas`)).toMatchObject({ status: 500, body: expected });
  });
});
