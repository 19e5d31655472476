import { CheckpointRetention } from "../../src/checkpoint/checkpoint-retention.js";
import { beforeAll, describe, expect, it } from "vitest";
import { expectIncreasingIds, type RunBody, streamedText, useHttpRunsServer, type Values } from "./http-runs-fixture.js";
import { requestJson, userInput } from "./http-runs-support.js";

const fixture = useHttpRunsServer();
const { alice, bob, newThread, openStream } = fixture;
const server = () => fixture.server();
describe("background runs (LangGraph Run shape)", () => {
  it("create answers the Run; join, get, list and delete follow it", async () => {
    const threadId = await newThread();
    const created = await alice()<RunBody>("POST", `/threads/${threadId}/runs`, {
      assistant_id: "chat",
      input: { messages: [{ type: "human", content: [{ type: "text", text: "hello " }, { type: "text", text: "background" }] }] },
      metadata: { source: "test" },
    });
    expect(created.status).toBe(200);
    const run = created.body;
    expect(run).toMatchObject({ thread_id: threadId, assistant_id: "chat", metadata: { source: "test" }, multitask_strategy: "enqueue" });
    expect(["pending", "running"]).toContain(run.status);
    expect(typeof run.created_at).toBe("string");
    expect(typeof run.updated_at).toBe("string");
    expect(run.kwargs).toMatchObject({ input: { messages: [{ role: "user", content: "hello background" }] } });
    expect(created.headers.get("content-location")).toBe(`/threads/${threadId}/runs/${run.run_id}`);

    const joined = await alice()<Values>("GET", `/threads/${threadId}/runs/${run.run_id}/join`);
    expect(joined.status).toBe(200);
    expect(joined.body.messages.map((message) => message.content)).toEqual(["hello background", "You said: hello background"]);

    const fetched = await alice()<RunBody>("GET", `/threads/${threadId}/runs/${run.run_id}`);
    expect(fetched.body).toMatchObject({ run_id: run.run_id, status: "success" });
    const listed = await alice()<RunBody[]>("GET", `/threads/${threadId}/runs?limit=5&status=success`);
    expect(listed.body.map((entry) => entry.run_id)).toEqual([run.run_id]);
    expect((await alice()<RunBody[]>("GET", `/threads/${threadId}/runs?status=error`)).body).toEqual([]);

    expect((await alice()("DELETE", `/threads/${threadId}/runs/${run.run_id}`)).status).toBe(204);
    expect((await alice()("GET", `/threads/${threadId}/runs/${run.run_id}`)).status).toBe(404);
  });

  it("wait answers the final values; a failed run carries __error__", async () => {
    const threadId = await newThread();
    const waited = await alice()<Values>("POST", `/threads/${threadId}/runs/wait`, { input: userInput("wait for me") });
    expect(waited.status).toBe(200);
    expect(waited.body.messages.at(-1)?.content).toBe("You said: wait for me");
    expect(waited.headers.get("content-location")).toMatch(new RegExp(`^/threads/${threadId}/runs/[0-9a-f-]{36}$`));

    const failed = await alice()<Values>("POST", `/threads/${threadId}/runs/wait`, { input: userInput("/fail the model broke") });
    expect(failed.status).toBe(200);
    expect(failed.body.__error__).toMatchObject({ error: "model_error" });
  });

  it("interrupt_before stops before the named node; a run without input continues from there; bad node names are refused", async () => {
    const threadId = await newThread();
    const stopped = await alice()<Values>("POST", `/threads/${threadId}/runs/wait`, {
      input: userInput('/tool calculator {"expression":"6 * 7"}'),
      interrupt_before: ["tools"],
    });
    expect(stopped.status).toBe(200);
    expect(stopped.body.messages.at(-1)?.tool_calls).toHaveLength(1);
    const state = await alice()<{ next: string[]; checkpoint: { checkpoint_id: string } }>("GET", `/threads/${threadId}/state`);
    expect(state.body.next).toEqual(["tools"]);
    const thread = await alice()<{ status: string }>("GET", `/threads/${threadId}`);
    expect(thread.body.status).toBe("interrupted");
    const runs = await alice()<RunBody[]>("GET", `/threads/${threadId}/runs`);
    expect(runs.body[0]?.status).toBe("interrupted");

    // Continuing runs the tool (not cancelled as a dangling call) and the model's answer.
    const continued = await alice()<Values>("POST", `/threads/${threadId}/runs/wait`, {});
    expect(continued.body.messages.map((message) => message.type)).toEqual(["human", "ai", "tool", "ai"]);
    expect(continued.body.messages[2]?.content).toBe("42");
    expect((await alice()<{ next: string[] }>("GET", `/threads/${threadId}/state`)).body.next).toEqual([]);
    // Where the first run stopped is a turn's end: retention keeps it (the continuing run's first checkpoint says so).
    await new CheckpointRetention(server().services.pool).pruneThread(threadId, { cutoff: new Date(Date.now() + 60_000) });
    const paused = await alice()<{ next: string[] }>("GET", `/threads/${threadId}/state/${state.body.checkpoint.checkpoint_id}`);
    expect(paused.status).toBe(200);
    expect(paused.body.next).toEqual(["tools"]);

    const after = await alice()<Values>("POST", `/threads/${threadId}/runs/wait`, { input: userInput("and then?"), interrupt_after: "*" });
    expect(after.body.messages.at(-1)?.content).toBe("You said: and then?");
    expect((await alice()<{ next: string[] }>("GET", `/threads/${threadId}/state`)).body.next).toEqual([]);

    const refused = await alice()<{ code: string; message: string }>("POST", `/threads/${threadId}/runs`, { input: userInput("x"), interrupt_before: ["tool"] });
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ code: "invalid_request" });
    expect(refused.body.message).toContain("tool");
    expect((await alice()<RunBody[]>("GET", `/threads/${threadId}/runs`)).body).toHaveLength(3);

    // "*" in a list means every node, as the bare string does (LangGraph itself would match no node named "*").
    const everywhere = await newThread();
    const starred = await alice()<Values>("POST", `/threads/${everywhere}/runs/wait`, { input: userInput('/tool calculator {"expression":"1+1"}'), interrupt_after: ["model", "*"] });
    expect(starred.status).toBe(200);
    expect((await alice()<{ next: string[] }>("GET", `/threads/${everywhere}/state`)).body.next).toEqual(["tools"]);
  });

  it("a run's context and config.configurable override the assistant's settings for that run; recursion_limit is honoured; bad values are refused", async () => {
    const threadId = await newThread();
    const shape = { type: "object", properties: { answer: { type: "string" } }, required: ["answer"] };
    const shaped = await alice()<Values & { structured_response?: { answer?: unknown } }>("POST", `/threads/${threadId}/runs/wait`, { input: userInput("shape this"), context: { response_shape: shape } });
    expect(shaped.status).toBe(200);
    expect(typeof shaped.body.structured_response?.answer).toBe("string");
    // The override was the run's own: the next run answers in plain text again.
    const plain = await alice()<Values & { structured_response?: unknown }>("POST", `/threads/${threadId}/runs/wait`, { input: userInput("plain now") });
    expect(plain.body.messages.at(-1)?.content).toBe("You said: plain now");
    const runs = (await alice()<RunBody[]>("GET", `/threads/${threadId}/runs`)).body;
    expect(runs).toHaveLength(2);

    const limited = await alice()<Values>("POST", `/threads/${threadId}/runs/wait`, { input: userInput('/tool calculator {"expression":"1+1"}'), config: { recursion_limit: 2 } });
    expect(limited.body.__error__?.message).toMatch(/recursion/i);

    for (const body of [
      { input: userInput("x"), context: { temperature: 5 } },
      { input: userInput("x"), config: { configurable: { model: "no-such-provider:model" } } },
      { input: userInput("x"), context: { tools: ["launch_rockets"] } },
      // Checked as an assistant's own budget is when saved: it once started the run, which failed with the message stored.
      { input: userInput("x"), context: { context_budget: 300 } },
      { input: userInput("x"), config: { configurable: { context_budget: 500, system_prompt: "Answer about invoices. ".repeat(200) } } },
    ]) {
      const refused = await alice()<{ code: string; message: string; details?: { minimum_budget?: number } }>("POST", `/threads/${threadId}/runs`, body);
      expect(refused.status, JSON.stringify(body)).toBe(400);
      expect(refused.body.code).toBe("invalid_request");
      if ("context_budget" in (body.context ?? body.config?.configurable ?? {})) {
        expect(refused.body.message).toMatch(/^This run's settings: context_budget \d+ is too small for this assistant: .* Set context_budget to at least \d+/);
        expect(refused.body.details?.minimum_budget).toBeGreaterThan(300);
      }
    }
    expect((await alice()<RunBody[]>("GET", `/threads/${threadId}/runs`)).body).toHaveLength(3);
    const transcript = (await alice()<{ messages: { content: string }[] }>("GET", `/threads/${threadId}/messages?limit=100`)).body.messages;
    expect(transcript.map((message) => message.content)).not.toContain("x");
    // A per-run budget that holds the call is taken.
    const roomy = await alice()<Values>("POST", `/threads/${threadId}/runs/wait`, { input: userInput("roomy"), context: { context_budget: 3000 } });
    expect(roomy.body.messages.at(-1)?.content).toBe("You said: roomy");
  });

  it("a delayed run is pending: reject answers thread_busy, cancel ends it cancelled", async () => {
    const threadId = await newThread();
    const delayed = await alice()<RunBody>("POST", `/threads/${threadId}/runs`, { input: userInput("later"), after_seconds: 600 });
    expect(delayed.body.status).toBe("pending");

    const rejected = await alice()<{ code: string }>("POST", `/threads/${threadId}/runs`, { input: userInput("now"), multitask_strategy: "reject" });
    expect(rejected.status).toBe(409);
    expect(rejected.body.code).toBe("thread_busy");

    const busyUpdate = await alice()<{ code: string }>("POST", `/threads/${threadId}/state`, { values: { messages: [] } });
    expect(busyUpdate.status).toBe(409);

    const activeDelete = await alice()<{ code: string }>("DELETE", `/threads/${threadId}/runs/${delayed.body.run_id}`);
    expect(activeDelete.status).toBe(409);

    const cancelled = await alice()<RunBody>("POST", `/threads/${threadId}/runs/${delayed.body.run_id}/cancel?wait=1&action=interrupt`);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ status: "cancelled", cancel_reason: "cancelled" });
    const again = await alice()<RunBody>("POST", `/threads/${threadId}/runs/${delayed.body.run_id}/cancel`);
    expect(again.status).toBe(202);
    expect(again.body.status).toBe("cancelled");
  });
});

describe("POST /threads/{id}/runs/stream", () => {
  it("frames a reply as the SDK parses it: metadata, messages, updates, values, end; ids on every event", async () => {
    const threadId = await newThread();
    await using stream = await openStream(`/threads/${threadId}/runs/stream`, {
      assistant_id: "chat",
      input: userInput("stream this"),
      stream_mode: ["values", "messages-tuple", "updates"],
    });
    expect(stream.status).toBe(200);
    expect(stream.response.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const events = await stream.untilEnd();
    const metadata = events[0];
    expect(metadata).toMatchObject({ event: "metadata", id: "0", data: { attempt: 1 } });
    const runId = (metadata?.data as { run_id: string }).run_id;
    expect(stream.response.headers.get("content-location")).toBe(`/threads/${threadId}/runs/${runId}`);
    expect(stream.response.headers.get("location")).toBe(
      `/threads/${threadId}/runs/${runId}/stream?stream_mode=values&stream_mode=messages-tuple&stream_mode=updates`,
    );
    expectIncreasingIds(events);
    expect(streamedText(events)).toBe("You said: stream this");
    const [chunk, tupleMetadata] = events.find((event) => event.event === "messages")?.data as [{ type: string; id: string }, Record<string, unknown>];
    expect(chunk.type).toBe("AIMessageChunk");
    expect(tupleMetadata).toMatchObject({ langgraph_node: "model", run_id: runId, thread_id: threadId });
    const updates = events.filter((event) => event.event === "updates").map((event) => event.data);
    expect(updates).toEqual([{ model: { messages: [expect.objectContaining({ type: "ai", content: "You said: stream this", id: chunk.id })] } }]);
    const values = events.filter((event) => event.event === "values").map((event) => (event.data as Values).messages.map((message) => message.type));
    expect(values).toEqual([["human"], ["human", "ai"]]);
    expect(events.at(-1)).toMatchObject({ event: "end", data: { run_id: runId, status: "success" } });
  });

  it("a tool call streams its call chunk, one tools update with the result, then the answer", async () => {
    const threadId = await newThread();
    await using stream = await openStream(`/threads/${threadId}/runs/stream`, {
      input: userInput('/tool calculator {"expression":"6*7"}'),
      stream_mode: ["messages-tuple", "updates", "tools"],
    });
    const events = await stream.untilEnd();
    const toolCallChunk = events
      .filter((event) => event.event === "messages")
      .map((event) => (event.data as [{ tool_call_chunks?: { name: string; args: string }[] }])[0])
      .find((message) => (message.tool_call_chunks?.length ?? 0) > 0);
    expect(toolCallChunk?.tool_call_chunks?.[0]).toMatchObject({ name: "calculator", args: '{"expression":"6*7"}' });
    const nodes = events.filter((event) => event.event === "updates").map((event) => Object.keys(event.data as object)[0]);
    expect(nodes).toEqual(["model", "tools", "model"]);
    const toolUpdate = events.find((event) => event.event === "updates" && "tools" in (event.data as object))?.data as { tools: { messages: { content: string }[] } };
    expect(toolUpdate.tools.messages.map((message) => message.content)).toEqual(["42"]);
    expect(events.filter((event) => event.event === "tools").map((event) => (event.data as { event: string }).event)).toEqual(["on_tool_start", "on_tool_end"]);
    expect(streamedText(events)).toContain("Tool calculator returned: 42");
  });

  it("a failing model ends the stream with an error event", async () => {
    const threadId = await newThread();
    await using stream = await openStream(`/threads/${threadId}/runs/stream`, { input: userInput("/fail provider down") });
    const events = await stream.untilEnd();
    expect(events.at(-1)).toMatchObject({ event: "error", data: { error: "model_error" } });
    expect(events.some((event) => event.event === "end")).toBe(false);
  });

  it("replays from a checkpoint given as config.configurable.checkpoint_id (a new branch)", async () => {
    const threadId = await newThread();
    await alice()("POST", `/threads/${threadId}/runs/wait`, { input: userInput("first") });
    await alice()("POST", `/threads/${threadId}/runs/wait`, { input: userInput("second") });
    const history = await alice()<{ checkpoint: { checkpoint_id: string }; values: Values }[]>("POST", `/threads/${threadId}/history`, { limit: 20 });
    const afterFirst = history.body.find((state) => state.values.messages?.length === 2);
    expect(afterFirst).toBeDefined();
    await using stream = await openStream(`/threads/${threadId}/runs/stream`, {
      input: userInput("instead"),
      config: { configurable: { checkpoint_id: afterFirst?.checkpoint.checkpoint_id } },
    });
    const events = await stream.untilEnd();
    const last = events.filter((event) => event.event === "values").at(-1)?.data as Values;
    expect(last.messages.map((message) => message.content)).toEqual(["first", "You said: first", "instead", "You said: instead"]);
    const unknown = await alice()<{ code: string }>("POST", `/threads/${threadId}/runs`, { input: userInput("x"), checkpoint_id: "no-such-checkpoint" });
    expect(unknown.status).toBe(404);
  });
});

describe("bad requests", () => {
  const cases: { name: string; body: Record<string, unknown>; status: number; code: string }[] = [
    { name: "an unknown assistant", body: { assistant_id: "no-such-graph", input: userInput("hi") }, status: 404, code: "not_found" },
    { name: "an unknown stream mode", body: { input: userInput("hi"), stream_mode: ["values", "everything"] }, status: 400, code: "invalid_request" },
    { name: "an assistant message as input", body: { input: { messages: [{ role: "assistant", content: "I said" }] } }, status: 400, code: "invalid_request" },
    { name: "other state keys in input", body: { input: { messages: [], todo: [] } }, status: 400, code: "invalid_request" },
    { name: "image content", body: { input: { messages: [{ role: "user", content: [{ type: "image_url", image_url: "x" }] }] } }, status: 400, code: "invalid_request" },
    { name: "a command with goto", body: { command: { goto: "tools" } }, status: 400, code: "invalid_request" },
    { name: "input and command.resume together", body: { input: userInput("hi"), command: { resume: "yes" } }, status: 400, code: "invalid_request" },
    { name: "an unknown multitask strategy", body: { input: userInput("hi"), multitask_strategy: "queue" }, status: 400, code: "invalid_request" },
    { name: "a webhook that is not a URL", body: { input: userInput("hi"), webhook: "not a url" }, status: 400, code: "invalid_request" },
    { name: "a webhook to the cloud metadata address", body: { input: userInput("hi"), webhook: "http://169.254.169.254/latest/meta-data" }, status: 400, code: "invalid_request" },
    { name: "a webhook to a private address", body: { input: userInput("hi"), webhook: "http://10.0.0.7/hook" }, status: 400, code: "invalid_request" },
    { name: "a webhook on a port fetch() refuses (WHATWG bad port: never deliverable)", body: { input: userInput("hi"), webhook: "http://hooks.example.com:10080/hook" }, status: 400, code: "invalid_request" },
    { name: "a webhook with credentials in its URL (they would leak into logs)", body: { input: userInput("hi"), webhook: "https://user:secret@example.com/hook" }, status: 400, code: "invalid_request" },
    { name: "an unknown on_disconnect", body: { input: userInput("hi"), on_disconnect: "pause" }, status: 400, code: "invalid_request" },
    { name: "negative after_seconds", body: { input: userInput("hi"), after_seconds: -1 }, status: 400, code: "invalid_request" },
    { name: "disagreeing checkpoint ids", body: { input: userInput("hi"), checkpoint_id: "a", config: { configurable: { checkpoint_id: "b" } } }, status: 400, code: "invalid_request" },
  ];
  it.each(cases)("$name", async ({ body, status, code }) => {
    const threadId = await newThread();
    for (const path of [`/threads/${threadId}/runs`, `/threads/${threadId}/runs/stream`, `/threads/${threadId}/runs/wait`]) {
      const answer = await alice()<{ code: string }>("POST", path, body);
      expect(answer.status, path).toBe(status);
      expect(answer.body.code, path).toBe(code);
    }
    // Refused before anything was created.
    expect((await alice()<RunBody[]>("GET", `/threads/${threadId}/runs`)).body).toEqual([]);
  });

  it("a Last-Event-ID that is not ours, bad list and cancel queries", async () => {
    const threadId = await newThread();
    const run = (await alice()<RunBody>("POST", `/threads/${threadId}/runs`, { input: userInput("hi") })).body;
    const badId = await requestJson<{ code: string }>(server().url, {
      method: "GET",
      path: `/threads/${threadId}/runs/${run.run_id}/stream`,
      headers: { Authorization: `Bearer ${fixture.aliceKey()}`, "Last-Event-ID": "abc" },
    });
    expect(badId.status).toBe(400);
    // An id past the end of the finished run was never sent: refused, not answered with an empty stream.
    await alice()("GET", `/threads/${threadId}/runs/${run.run_id}/join`);
    const pastEnd = await requestJson<{ code: string; message: string }>(server().url, {
      method: "GET",
      path: `/threads/${threadId}/runs/${run.run_id}/stream`,
      headers: { Authorization: `Bearer ${fixture.aliceKey()}`, "Last-Event-ID": "999999" },
    });
    expect(pastEnd.status).toBe(400);
    expect(pastEnd.body.message).toContain("past the end of run");
    expect((await alice()("GET", `/threads/${threadId}/runs?status=finished`)).status).toBe(400);
    expect((await alice()("GET", `/threads/${threadId}/runs?limit=0`)).status).toBe(400);
    expect((await alice()("POST", `/threads/${threadId}/runs/${run.run_id}/cancel?action=explode`)).status).toBe(400);
    expect((await alice()("GET", `/threads/${threadId}/stream?stream_mode=values`)).status).toBe(400);
  });
});

describe("state over HTTP", () => {
  it("POST /state writes values as a node; /state/checkpoint reads a checkpoint; /copy forks the thread", async () => {
    const threadId = await newThread();
    await alice()("POST", `/threads/${threadId}/runs/wait`, { input: userInput("original") });
    const updated = await alice()<{ checkpoint: { thread_id: string; checkpoint_id: string } }>("POST", `/threads/${threadId}/state`, {
      values: { messages: [{ type: "ai", content: "an edited answer" }] },
      as_node: "model",
    });
    expect(updated.status).toBe(200);
    expect(updated.body.checkpoint).toMatchObject({ thread_id: threadId, checkpoint_ns: "" });
    const state = await alice()<{ values: Values; checkpoint: { checkpoint_id: string } }>("GET", `/threads/${threadId}/state`);
    expect(state.body.checkpoint.checkpoint_id).toBe(updated.body.checkpoint.checkpoint_id);
    expect(state.body.values.messages.map((message) => message.content)).toEqual(["original", "You said: original", "an edited answer"]);

    const atCheckpoint = await alice()<{ values: Values }>("POST", `/threads/${threadId}/state/checkpoint`, {
      checkpoint: { checkpoint_id: updated.body.checkpoint.checkpoint_id },
    });
    expect(atCheckpoint.body.values.messages).toHaveLength(3);

    const unknownNode = await alice()<{ code: string }>("POST", `/threads/${threadId}/state`, { values: { messages: [] }, as_node: "nope" });
    expect(unknownNode.status).toBe(400);
    expect(unknownNode.body.code).toBe("invalid_request");

    const copy = await alice()<{ thread_id: string; values: Values }>("POST", `/threads/${threadId}/copy`);
    expect(copy.status).toBe(200);
    expect(copy.body.thread_id).not.toBe(threadId);
    expect(copy.body.values.messages.map((message) => message.content)).toEqual(["original", "You said: original", "an edited answer"]);
    const continued = await alice()<Values>("POST", `/threads/${copy.body.thread_id}/runs/wait`, { input: userInput("in the copy") });
    expect(continued.body.messages).toHaveLength(5);
    const source = await alice()<{ values: Values }>("GET", `/threads/${threadId}/state`);
    expect(source.body.values.messages).toHaveLength(3);
  });
});

describe("another user's thread answers not_found on every run, stream and state route", () => {
  let threadId: string;
  let runId: string;
  beforeAll(async () => {
    threadId = await newThread();
    runId = (await alice()<RunBody>("POST", `/threads/${threadId}/runs`, { input: userInput("alice's secret") })).body.run_id;
    await alice()("GET", `/threads/${threadId}/runs/${runId}/join`);
  });

  const routes: [string, () => [string, string, unknown?]][] = [
    ["create run", () => ["POST", `/threads/${threadId}/runs`, { input: userInput("mine now") }]],
    ["create run (if_not_exists create)", () => ["POST", `/threads/${threadId}/runs`, { input: userInput("mine now"), if_not_exists: "create" }]],
    ["stream run", () => ["POST", `/threads/${threadId}/runs/stream`, { input: userInput("mine now") }]],
    ["wait run", () => ["POST", `/threads/${threadId}/runs/wait`, { input: userInput("mine now") }]],
    ["list runs", () => ["GET", `/threads/${threadId}/runs`]],
    ["get run", () => ["GET", `/threads/${threadId}/runs/${runId}`]],
    ["delete run", () => ["DELETE", `/threads/${threadId}/runs/${runId}`]],
    ["join run", () => ["GET", `/threads/${threadId}/runs/${runId}/join`]],
    ["join run stream", () => ["GET", `/threads/${threadId}/runs/${runId}/stream`]],
    ["cancel run", () => ["POST", `/threads/${threadId}/runs/${runId}/cancel`]],
    ["thread stream", () => ["GET", `/threads/${threadId}/stream`]],
    ["update state", () => ["POST", `/threads/${threadId}/state`, { values: { messages: [] } }]],
    ["state at checkpoint", () => ["POST", `/threads/${threadId}/state/checkpoint`, { checkpoint: { checkpoint_id: null } }]],
    ["copy", () => ["POST", `/threads/${threadId}/copy`]],
  ];
  it.each(routes)("%s", async (_name, route) => {
    const [method, path, body] = route();
    const answer = await bob()<{ code: string; message: string }>(method, path, body);
    expect(answer.status).toBe(404);
    expect(answer.body.code).toBe("not_found");
    expect(answer.body.message).not.toContain("secret");
  });

  it("left alice's thread and run untouched", async () => {
    expect((await alice()<RunBody>("GET", `/threads/${threadId}/runs/${runId}`)).body.status).toBe("success");
    expect((await alice()<RunBody[]>("GET", `/threads/${threadId}/runs`)).body).toHaveLength(1);
  });
});

describe("unauthenticated", () => {
  it("answers 401 before any run is created", async () => {
    const answer = await requestJson<{ code: string }>(server().url, { method: "POST", path: "/runs/wait", body: { input: userInput("hi") } });
    expect(answer.status).toBe(401);
  });
});
