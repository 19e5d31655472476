import type { Client } from "@langchain/langgraph-sdk";
import { describe, expect, it } from "vitest";
import { useSdkUsersServer } from "../helpers/sdk-users-server.js";

// Every parameter the official SDK sends to thread and assistant search: each honoured with LangGraph Platform's
// meaning for the caller's own rows, or refused with 400 — never dropped. Two users: bob's rows never answer alice.

const sdk = useSdkUsersServer();

/** A raw POST as alice, for bodies the SDK's types would not let through. */
async function post(path: string, body: unknown): Promise<{ status: number; body: { code?: string; message?: string } }> {
  const response = await sdk.request("POST", path, body);
  return { status: response.status, body: (await response.json()) as { code?: string; message?: string } };
}

/** Create alice's threads one after another (distinct created_at), tagged with `project`. */
async function aliceThreads(project: string, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let index = 0; index < count; index += 1) ids.push((await sdk.alice.threads.create({ metadata: { project, index } })).thread_id);
  return ids;
}

const ids = (threads: { thread_id: string }[]) => threads.map((thread) => thread.thread_id);

describe("threads.search ids", () => {
  it("answers only the listed threads of the caller, with paging; another user's ids match nothing", async () => {
    const [first, second, third] = await aliceThreads("ids", 3);
    const bobs = (await sdk.bob.threads.create()).thread_id;

    const listed = await sdk.alice.threads.search({ ids: [first!, third!, bobs], sortBy: "created_at", sortOrder: "asc" });
    expect(ids(listed)).toEqual([first, third]);
    expect(ids(await sdk.alice.threads.search({ ids: [first!, second!, third!], sortBy: "created_at", sortOrder: "asc", limit: 1, offset: 1 }))).toEqual([second]);
    expect(await sdk.bob.threads.search({ ids: [first!, second!] })).toEqual([]);
    expect(ids(await sdk.bob.threads.search({ ids: [bobs, first!] }))).toEqual([bobs]);
    // `ids` narrows the other filters, it does not replace them.
    expect(await sdk.alice.threads.search({ ids: [first!], metadata: { project: "elsewhere" } })).toEqual([]);
    expect(await sdk.alice.threads.search({ ids: [] })).toEqual([]);
  });
});

describe("threads.search metadata.assistant_id", () => {
  it("matches the thread's assistant, as every thread shows it in metadata, not a stale or hand-set stored value", async () => {
    const other = await sdk.alice.assistants.create({ graphId: "chat", name: "second opinion" });
    const plain = await sdk.alice.threads.create();
    const defaultAssistant = plain.metadata?.assistant_id as string;
    expect(defaultAssistant).toBeTruthy();
    const ofOther = await sdk.alice.threads.create({ metadata: { assistant_id: other.assistant_id } });
    // A hand-set metadata.assistant_id names no assistant of the thread: the thread still shows its own.
    const handSet = await sdk.alice.threads.create();
    const updated = await sdk.alice.threads.update(handSet.thread_id, { metadata: { assistant_id: other.assistant_id, tag: "x" } });
    expect(updated.metadata?.assistant_id).toBe(defaultAssistant);
    const threeIds = [plain.thread_id, ofOther.thread_id, handSet.thread_id];
    const search = (assistantId: string, extra: Record<string, unknown> = {}) =>
      sdk.alice.threads.search({ ids: threeIds, metadata: { assistant_id: assistantId, ...extra }, sortBy: "created_at", sortOrder: "asc" });

    expect(ids(await search(defaultAssistant))).toEqual([plain.thread_id, handSet.thread_id]);
    expect(ids(await search(other.assistant_id))).toEqual([ofOther.thread_id]);
    expect(ids(await search(defaultAssistant, { tag: "x" }))).toEqual([handSet.thread_id]);
    expect(await search("no-such-assistant")).toEqual([]);
    // Each thread found shows the assistant it was found by.
    for (const thread of await search(defaultAssistant)) expect(thread.metadata?.assistant_id).toBe(defaultAssistant);
    expect(await sdk.alice.threads.count({ metadata: { assistant_id: other.assistant_id } })).toBe(1);
    // Bob's threads of the same default assistant never answer alice.
    const bobs = await sdk.bob.threads.create();
    expect(ids(await sdk.alice.threads.search({ metadata: { assistant_id: defaultAssistant }, limit: 100 }))).not.toContain(bobs.thread_id);
  });

  it("a run's assistant and graph are stamped on its thread, as LangGraph Platform does: a graph's threads are found by {graph_id}", async () => {
    // agent-chat-ui's way: a thread made with no assistant, runs of an assistant, the sidebar searching {graph_id}
    // for a graph id and {assistant_id} for a created assistant.
    const custom = await sdk.alice.assistants.create({ graphId: "chat", name: "stamped" });
    const thread = await sdk.alice.threads.create();
    expect(thread.metadata).toMatchObject({ graph_id: "chat" });
    await sdk.alice.runs.wait(thread.thread_id, custom.assistant_id, { input: { messages: [{ role: "user", content: "hello" }] } });
    expect((await sdk.alice.threads.get(thread.thread_id)).metadata).toMatchObject({ graph_id: "chat", assistant_id: custom.assistant_id });
    expect(ids(await sdk.alice.threads.search({ metadata: { assistant_id: custom.assistant_id } }))).toEqual([thread.thread_id]);
    expect(ids(await sdk.alice.threads.search({ metadata: { graph_id: "chat" }, limit: 100 }))).toContain(thread.thread_id);
    expect(await sdk.alice.threads.search({ metadata: { graph_id: "no-such-graph" } })).toEqual([]);
    expect(await sdk.alice.threads.count({ metadata: { graph_id: "chat", assistant_id: custom.assistant_id } })).toBe(1);
    // A hand-set graph_id does not hide the thread's graph.
    await sdk.alice.threads.update(thread.thread_id, { metadata: { graph_id: "elsewhere" } });
    expect((await sdk.alice.threads.get(thread.thread_id)).metadata).toMatchObject({ graph_id: "chat" });
    expect(ids(await sdk.alice.threads.search({ metadata: { graph_id: "chat", assistant_id: custom.assistant_id } }))).toEqual([thread.thread_id]);
    // The run's assistant goes on with the thread: a run naming none (the web page, the terminal) uses it.
    expect(((await sdk.alice.threads.get(thread.thread_id)) as unknown as { assistant_id: string }).assistant_id).toBe(custom.assistant_id);
  });
});

describe("threads.search sortBy / sortOrder", () => {
  it("orders by each key in both directions, paged, and updated_at by the updated_at it answers", async () => {
    const created = await aliceThreads("sort", 4);
    const search = (query: Parameters<Client["threads"]["search"]>[0]) => sdk.alice.threads.search({ metadata: { project: "sort" }, ...query });

    expect(ids(await search({ sortBy: "created_at", sortOrder: "asc" }))).toEqual(created);
    expect(ids(await search({ sortBy: "created_at", sortOrder: "desc" }))).toEqual([...created].reverse());
    expect(ids(await search({ sortBy: "created_at", sortOrder: "asc", limit: 2, offset: 1 }))).toEqual(created.slice(1, 3));
    expect(ids(await search({ sortBy: "thread_id", sortOrder: "asc" }))).toEqual([...created].sort());
    expect(ids(await search({ sortBy: "thread_id", sortOrder: "desc", limit: 1 }))).toEqual([[...created].sort().at(-1)]);

    // A metadata update changes updated_at: the oldest thread becomes the most recently updated.
    await sdk.alice.threads.update(created[0]!, { metadata: { touched: true } });
    const byUpdate = await search({ sortBy: "updated_at", sortOrder: "desc" });
    expect(byUpdate[0]?.thread_id).toBe(created[0]);
    const stamps = byUpdate.map((thread) => thread.updated_at);
    expect(stamps).toEqual([...stamps].sort().reverse());
    expect(ids(await search({ sortBy: "updated_at", sortOrder: "asc" })).at(-1)).toBe(created[0]);
    // Without sortBy: updated_at, newest first (LangGraph's default).
    expect(ids(await search({}))).toEqual(ids(byUpdate));
  });
});

describe("threads.search values", () => {
  const note = (content: string) => ({ messages: [{ role: "assistant", content }] });
  const EMAIL = '/tool send_email {"to":"ada@example.com","subject":"Hello","body":"Meeting at 10?"}';

  it("without select, answers each thread's current values and interrupts as GET /threads/{id}/state and /threads/{id} do, interrupted ones included", async () => {
    const [fresh, edited, interrupted] = await aliceThreads("values", 3);
    await sdk.alice.threads.updateState(edited!, { values: note("first"), asNode: "model" });
    await sdk.alice.threads.updateState(edited!, { values: note("second"), asNode: "model" });
    await sdk.alice.runs.wait(interrupted!, "chat", { input: { messages: [{ role: "human", content: EMAIL }] } });
    const bobs = (await sdk.bob.threads.create({ metadata: { project: "values" } })).thread_id;
    await sdk.bob.threads.updateState(bobs, { values: note("bob's secret"), asNode: "model" });

    const found = await sdk.alice.threads.search({ metadata: { project: "values" }, sortBy: "created_at", sortOrder: "asc" });
    expect(ids(found)).toEqual([fresh, edited, interrupted]);
    for (const thread of found) {
      expect(thread.values, thread.thread_id).toEqual((await sdk.alice.threads.getState(thread.thread_id)).values);
      expect(thread.interrupts, thread.thread_id).toEqual((await sdk.alice.threads.get(thread.thread_id)).interrupts);
    }
    expect(found[0]?.values).toEqual({});
    expect((found[1]?.values as { messages: { content: string }[] }).messages.map((message) => message.content)).toEqual(["first", "second"]);
    expect(found[2]).toMatchObject({ status: "interrupted" });
    expect(Object.values(found[2]?.interrupts ?? {}).flat()).toMatchObject([{ value: { kind: "tool_approval", name: "send_email" } }]);
    // Bob's thread carries the same metadata: alice never sees it, nor bob alice's.
    expect(ids(await sdk.bob.threads.search({ metadata: { project: "values" } }))).toEqual([bobs]);
    expect(await sdk.bob.threads.search({ ids: [fresh!, edited!, interrupted!] })).toEqual([]);
    // A select without values or interrupts reads no state and answers only what it names, as before.
    expect(await sdk.alice.threads.search({ ids: [edited!], select: ["thread_id"] })).toEqual([{ thread_id: edited }]);
  });

  it("reads a page's checkpoints in one query per 100 threads and its assistants in one, whatever the page's size", async () => {
    const threads = await aliceThreads("many", 101);
    await sdk.alice.threads.updateState(threads[0]!, { values: note("oldest"), asNode: "model" });
    await sdk.alice.threads.updateState(threads[100]!, { values: note("newest"), asNode: "model" });
    const { pool, checkpointer } = sdk.server.services;
    const query = pool.query.bind(pool);
    const latestTuples = checkpointer.latestTuples.bind(checkpointer);
    const statements: { sql: string; params: unknown[] }[] = [];
    const batches: number[] = [];
    pool.query = ((text: unknown, ...rest: unknown[]) => {
      statements.push({ sql: typeof text === "string" ? text : String((text as { text?: unknown }).text), params: Array.isArray(rest[0]) ? (rest[0] as unknown[]) : [] });
      return (query as (...args: unknown[]) => unknown)(text, ...rest);
    }) as typeof pool.query;
    checkpointer.latestTuples = (threadIds) => (batches.push(threadIds.length), latestTuples(threadIds));
    const search = async (limit: number) => {
      statements.length = 0;
      batches.length = 0;
      const page = await sdk.alice.threads.search({ metadata: { project: "many" }, sortBy: "created_at", sortOrder: "asc", limit });
      // A thread's own checkpoint read (getTuple: one per thread) would show here; the page's go through latestTuples.
      const ownReads = statements.filter(({ sql, params }) => sql.includes("AS channel_values") && threads.includes(String(params[0])));
      expect(ownReads).toEqual([]);
      expect(statements.filter(({ sql }) => /FROM assistants/.test(sql)).length).toBeLessThanOrEqual(1);
      return page;
    };
    try {
      const small = await search(3);
      expect(batches).toEqual([3]);
      expect((small[0]?.values as { messages: { content: string }[] }).messages[0]?.content).toBe("oldest");
      const page = await search(101);
      expect(batches).toEqual([100, 1]);
      expect(ids(page)).toEqual(threads);
      expect((page[100]?.values as { messages: { content: string }[] }).messages[0]?.content).toBe("newest");
      expect(page.slice(1, 100).every((thread) => JSON.stringify(thread.values) === "{}")).toBe(true);
    } finally {
      pool.query = query;
      checkpointer.latestTuples = latestTuples;
    }
  });

  it("lists and gets a thread whose graph is no longer declared with values null (its state cannot be read)", async () => {
    const assistant = await sdk.alice.assistants.create({ graphId: "planner", name: "retiring" });
    const thread = await sdk.alice.threads.create({ metadata: { project: "retired" } });
    await sdk.server.services.pool.query("UPDATE threads SET assistant_id = $1 WHERE thread_id = $2", [assistant.assistant_id, thread.thread_id]);
    await sdk.server.services.pool.query("UPDATE assistants SET graph_id = 'retired-graph' WHERE assistant_id = $1", [assistant.assistant_id]);
    const [listed] = await sdk.alice.threads.search({ metadata: { project: "retired" } });
    expect(listed).toMatchObject({ thread_id: thread.thread_id, values: null, interrupts: {} });
    // GET answers it as search lists it (it answered 404 "Assistant … not found").
    expect(await sdk.alice.threads.get(thread.thread_id)).toMatchObject({ thread_id: thread.thread_id, values: null, interrupts: {} });
    // So for a thread of a removed graph's default assistant (its id is the graph's).
    const orphan = await sdk.alice.threads.create({ metadata: { project: "orphan" } });
    await sdk.server.services.pool.query("UPDATE threads SET assistant_id = 'retired-graph' WHERE thread_id = $1", [orphan.thread_id]);
    const [found] = await sdk.alice.threads.search({ metadata: { project: "orphan" } });
    expect(found).toMatchObject({ thread_id: orphan.thread_id, values: null, interrupts: {} });
    expect(await sdk.alice.threads.get(orphan.thread_id)).toMatchObject({ thread_id: orphan.thread_id, values: null, interrupts: {} });
  });
});

describe("threads.search select and extract", () => {
  const note = (content: string) => ({ messages: [{ role: "assistant", content }] });

  it("answers only the selected fields; values and interrupts are the thread's current state", async () => {
    const [thread] = await aliceThreads("select", 1);
    await sdk.alice.threads.updateState(thread!, { values: note("first"), asNode: "model" });
    await sdk.alice.threads.updateState(thread!, { values: note("second"), asNode: "model" });

    const [slim] = await sdk.alice.threads.search({ ids: [thread!], select: ["thread_id", "status"] });
    expect(slim).toEqual({ thread_id: thread, status: "idle" });

    const [withValues] = await sdk.alice.threads.search<{ messages: { type: string; content: string }[] }>({ ids: [thread!], select: ["thread_id", "values", "interrupts", "metadata"] });
    expect(Object.keys(withValues ?? {}).sort()).toEqual(["interrupts", "metadata", "thread_id", "values"]);
    expect(withValues?.values.messages.map((message) => message.content)).toEqual(["first", "second"]);
    expect(withValues?.interrupts).toEqual({});
    expect(withValues?.metadata).toMatchObject({ project: "select", index: 0 });
  });

  it("extracts paths into `extracted`, null where a path leads nowhere, alongside select and paging", async () => {
    const threads = await aliceThreads("extract", 3);
    for (const [index, thread] of threads.entries()) await sdk.alice.threads.updateState(thread, { values: note(`reply ${index}`), asNode: "model" });

    const found = await sdk.alice.threads.search({
      metadata: { project: "extract" },
      sortBy: "created_at",
      sortOrder: "asc",
      limit: 2,
      offset: 1,
      select: ["thread_id"],
      extract: { last: "values.messages[-1].content", kind: "values.messages[0].type", project: "metadata.project", nothing: "values.messages[5].content", deeper: "metadata.project.name" },
    });
    expect(found).toEqual(
      threads.slice(1).map((thread, index) => ({
        thread_id: thread,
        extracted: { last: `reply ${index + 1}`, kind: "ai", project: "extract", nothing: null, deeper: null },
      })),
    );
    // Without select the whole thread comes back, with `extracted` and the state read for it.
    const [whole] = await sdk.alice.threads.search({ ids: [threads[0]!], extract: { status: "status" } });
    expect(whole).toMatchObject({ thread_id: threads[0], status: "idle", metadata: { project: "extract" }, extracted: { status: "idle" } });
  });
});

describe("threads.search and count refusals", () => {
  it("refuse what they cannot answer faithfully with 400 invalid_request saying so", async () => {
    const notSupported = [
      ["/threads/search", { values: { messages: [] } }, /values is not supported/],
      ["/threads/count", { values: { topic: "x" } }, /values is not supported/],
      ["/threads/search", { sort_by: "state_updated_at" }, /state_updated_at is not supported/],
      ["/threads/search", { select: ["thread_id", "state_updated_at"] }, /state_updated_at is not supported/],
      ["/threads/search", { select: ["config"] }, /config is not supported/],
      ["/threads/search", { extract: { ctx: "context.user" } }, /context is not supported/],
    ] as const;
    for (const [path, body, message] of notSupported) {
      const answer = await post(path, body);
      expect(answer, JSON.stringify(body)).toMatchObject({ status: 400, body: { code: "invalid_request" } });
      expect(answer.body.message).toMatch(message);
    }
    const tooMany = Object.fromEntries(Array.from({ length: 11 }, (_, index) => [`alias${index}`, "metadata.project"]));
    for (const [path, body] of [
      ["/threads/search", { select: ["thread_id", "title"] }],
      ["/threads/search", { select: [] }],
      ["/threads/search", { sort_by: "title" }],
      ["/threads/search", { sort_order: "up" }],
      ["/threads/search", { ids: ["not-a-uuid"] }],
      ["/threads/search", { extract: { bad: "values..messages" } }],
      ["/threads/search", { extract: { bad: "title" } }],
      ["/threads/search", { extract: { bad: "values.messages[last]" } }],
      ["/threads/search", { extract: tooMany }],
      ["/threads/search", { query: "unknown parameter" }],
      ["/threads/count", { ids: [] }],
    ] as const) {
      expect(await post(path, body), JSON.stringify(body)).toMatchObject({ status: 400, body: { code: "invalid_request" } });
    }
    // Empty values filters nothing, as before; pages of threads with their state go up to 1000 like the others.
    expect((await post("/threads/count", { values: {} })).status).toBe(200);
    expect((await post("/threads/search", { select: ["values"], limit: 1000 })).status).toBe(200);
  });
});

describe("assistants.search sortBy / sortOrder / select", () => {
  it("sorts the caller's assistants and the graph defaults together, paged, with LangGraph's next-page offset", async () => {
    const zed = await sdk.alice.assistants.create({ graphId: "chat", name: "zed", metadata: { suite: "sort" } });
    const alpha = await sdk.alice.assistants.create({ graphId: "planner", name: "alpha", metadata: { suite: "sort" } });
    await sdk.bob.assistants.create({ graphId: "chat", name: "bob's", metadata: { suite: "sort" } });
    const names = (found: { name: string }[]) => found.map((assistant) => assistant.name);

    // Alice may have assistants from other tests: filter by graph/name where the test needs an exact list.
    expect(names(await sdk.alice.assistants.search({ sortBy: "name", sortOrder: "asc", metadata: { suite: "sort" } }))).toEqual(["alpha", "zed"]);
    expect(names(await sdk.alice.assistants.search({ sortBy: "name", sortOrder: "desc", metadata: { suite: "sort" } }))).toEqual(["zed", "alpha"]);
    const everyone = await sdk.alice.assistants.search({ sortBy: "name", sortOrder: "asc", limit: 100 });
    expect(names(everyone)).toEqual(expect.arrayContaining(["alpha", "chat", "planner", "zed"]));
    expect(names(everyone)).not.toContain("bob's");
    const positions = ["alpha", "chat", "planner", "zed"].map((name) => names(everyone).indexOf(name));
    expect(positions).toEqual([...positions].sort((left, right) => left - right));

    // created_at: alice's newest first, the defaults (created at the epoch) last; ascending, the defaults first.
    const newest = await sdk.alice.assistants.search({ sortBy: "created_at", sortOrder: "desc", limit: 100 });
    expect(newest[0]?.assistant_id).toBe(alpha.assistant_id);
    expect(newest.map((assistant) => assistant.assistant_id).slice(-2).sort()).toEqual(["chat", "planner"]);
    const oldest = await sdk.alice.assistants.search({ sortBy: "created_at", sortOrder: "asc", limit: 2 });
    expect(oldest.map((assistant) => assistant.assistant_id).sort()).toEqual(["chat", "planner"]);
    // sortOrder alone sorts by created_at (LangGraph's default key).
    expect((await sdk.alice.assistants.search({ sortOrder: "desc" }))[0]?.assistant_id).toBe(alpha.assistant_id);
    expect(names(await sdk.alice.assistants.search({ graphId: "chat", sortBy: "graph_id", sortOrder: "asc", limit: 100 }))).toEqual(expect.arrayContaining(["chat", "zed"]));

    // Paging over the sorted list, and the next offset the SDK reads with includePagination.
    const page = await sdk.alice.assistants.search({ sortBy: "name", sortOrder: "asc", metadata: { suite: "sort" }, limit: 1, offset: 1, includePagination: true });
    expect(names(page.assistants)).toEqual(["zed"]);
    expect(page.next).toBeNull();
    const first = await sdk.alice.assistants.search({ sortBy: "name", sortOrder: "asc", metadata: { suite: "sort" }, limit: 1, includePagination: true });
    expect(names(first.assistants)).toEqual(["alpha"]);
    expect(first.next).toBe("1");
    // Threadline's default order (neither key): the defaults first, then newest updated first; paged the same.
    const unsorted = await sdk.alice.assistants.search({ graphId: "chat", limit: 1, includePagination: true });
    expect(unsorted.assistants[0]?.assistant_id).toBe("chat");
    expect(unsorted.next).toBe("1");
    expect((await sdk.alice.assistants.search({ graphId: "chat", limit: 100, offset: 1 }))[0]?.assistant_id).toBe(zed.assistant_id);
  });

  it("answers only the selected fields", async () => {
    const found = await sdk.alice.assistants.search({ graphId: "planner", select: ["assistant_id", "name"], sortBy: "assistant_id", sortOrder: "asc", limit: 100 });
    expect(found.length).toBeGreaterThan(0);
    for (const assistant of found) expect(Object.keys(assistant).sort()).toEqual(["assistant_id", "name"]);
  });

  it("refuses unknown sort keys, select fields and parameters with 400 invalid_request", async () => {
    for (const [path, body] of [
      ["/assistants/search", { select: ["assistant_id", "owner_id"] }],
      ["/assistants/search", { select: [] }],
      ["/assistants/search", { sort_by: "version" }],
      ["/assistants/search", { sort_by: "name; DROP TABLE assistants" }],
      ["/assistants/search", { sort_order: "sideways" }],
      ["/assistants/search", { description: "unknown parameter" }],
      ["/assistants/count", { select: ["name"] }],
    ] as const) {
      expect(await post(path, body), JSON.stringify(body)).toMatchObject({ status: 400, body: { code: "invalid_request" } });
    }
  });
});

describe("runs.list select and query parameters", () => {
  const human = (content: string) => ({ messages: [{ role: "human", content }] });

  it("select keeps only the fields it names (LangGraph's RunSelectField), for one field or several", async () => {
    const thread = await sdk.alice.threads.create();
    await sdk.alice.runs.wait(thread.thread_id, "chat", { input: human("one") });
    await sdk.alice.runs.wait(thread.thread_id, "chat", { input: human("two") });
    const full = await sdk.alice.runs.list(thread.thread_id);
    const picked = await sdk.alice.runs.list(thread.thread_id, { select: ["run_id", "status"] });
    expect(picked).toEqual(full.map((run) => ({ run_id: run.run_id, status: run.status })));
    expect(await sdk.alice.runs.list(thread.thread_id, { select: ["cancel_reason"], limit: 1 })).toEqual([{ cancel_reason: null }]);
    const every = ["run_id", "thread_id", "assistant_id", "created_at", "updated_at", "status", "metadata", "kwargs", "multitask_strategy", "cancel_reason"] as const;
    const [all] = await sdk.alice.runs.list(thread.thread_id, { select: [...every], limit: 1 });
    expect(Object.keys(all ?? {}).sort()).toEqual([...every].sort());
  });

  it("refuses an unknown select field and an unknown query parameter with 400 invalid_request", async () => {
    const thread = await sdk.alice.threads.create();
    for (const query of ["select=bogus", "select=run_id&select=usage", "bogus=1", "limit=5&sort_by=created_at", "limit=0x10", "offset=1e1"]) {
      const response = await sdk.request("GET", `/threads/${thread.thread_id}/runs?${query}`);
      expect(response.status, query).toBe(400);
      expect(await response.json()).toMatchObject({ code: "invalid_request" });
    }
    const unknown = (await (await sdk.request("GET", `/threads/${thread.thread_id}/runs?bogus=1`)).json()) as { message: string };
    expect(unknown.message).toContain("bogus");
    expect((await sdk.request("GET", `/threads/${thread.thread_id}/runs?limit=5&offset=0&status=success`)).status).toBe(200);
  });
});
