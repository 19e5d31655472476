import { describe, expect, it } from "vitest";
import { useGraphsTestServer } from "../helpers/graphs-test-server.js";

// A run's streamed `values` are the graph's state after each step, reducers applied, as LangGraph streams them
// (`useStream` renders them): they were rebuilt from the event log with each node's update written over the key,
// so parallel writes to a list kept only the last, a sum showed the last addend and a RemoveMessage was ignored.

const fixture = useGraphsTestServer("./reducer-graphs.langgraph.json");

type Part = { event: string; data: unknown };

async function collect(parts: AsyncIterable<Part>): Promise<Part[]> {
  const out: Part[] = [];
  for await (const part of parts) out.push(part);
  return out;
}

type Values = { items?: string[]; count?: number; messages?: { content: unknown }[] };

const contents = (values: Values | undefined) => values?.messages?.map((message) => message.content);

describe("streamed values of a graph with reducers", () => {
  it("show the state as LangGraph reduces it, live and when the stream is joined again", async () => {
    const thread = await fixture.sdk.threads.create({ graphId: "reducers" });
    const input = { topics: ["a", "b", "c"], messages: [{ role: "user", content: "first" }] };
    await fixture.sdk.runs.wait(thread.thread_id, "reducers", { input });
    const second = { topics: ["d", "e"], messages: [{ role: "user", content: "second" }] };
    const parts = await collect(fixture.sdk.runs.stream(thread.thread_id, "reducers", { input: second, streamMode: ["values", "updates"] }));
    const values = parts.filter((part) => part.event === "values").map((part) => part.data as Values);
    const state = (await fixture.sdk.threads.getState(thread.thread_id)).values as Values;
    expect(state).toMatchObject({ items: ["m(a)", "m(b)", "m(c)", "m(d)", "m(e)"], count: 2 });
    expect(contents(state)).toEqual(["second", "kept 1"]);
    const last = values.at(-1);
    expect(last?.items).toEqual(state.items);
    expect(last?.count).toBe(2);
    expect(contents(last)).toEqual(contents(state));
    // Each step's values, not only the last: after the fan-out both new items are there.
    expect(values.map((value) => value.items?.length)).toContain(5);
    // `updates` stay each node's own writes, as LangGraph's.
    const updates = parts.filter((part) => part.event === "updates").map((part) => part.data);
    expect(updates).toContainEqual({ tally: { count: 1 } });
    expect(updates).toContainEqual({ map: { items: ["m(d)"] } });
    // Joined again after the end, the stream repeats the same values (they are rebuilt from what was stored).
    const [run] = await fixture.sdk.runs.list(thread.thread_id, { limit: 1 });
    const replay = await collect(fixture.sdk.runs.joinStream(thread.thread_id, run?.run_id ?? "", { streamMode: ["values"] }));
    expect(replay.filter((part) => part.event === "values").map((part) => part.data)).toEqual(values);
  });
});
