import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningServer } from "../../src/app.js";
import type { RunningSummary } from "../../src/memory/running-summary.js";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database.js";
import { startTestServer } from "../helpers/test-server.js";
import { startRecordingServer } from "../models/recording-server.js";
import { chat, TestWsClient } from "../helpers/ws-client.js";
import { canonicalConversation, longConversation, speakerConversation } from "../transcript/conversation-fixture.js";

let database: TestDatabase;
let server: RunningServer;

beforeAll(async () => {
  database = await createTestDatabase();
  server = await startTestServer({ databaseUrl: database.url });
});
afterAll(async () => {
  await server?.close();
  await database?.drop();
});

interface ImportAnswer {
  thread_id: string;
  thread: { thread_id: string; title: string | null; metadata: Record<string, unknown> };
  messages: number;
  turns: number;
  sessions: number;
  working_messages: number;
  folds: number;
  summary: RunningSummary | null;
  checkpoint_id: string | null;
  duration_ms: number;
  turns_per_second: number;
}

async function importJsonl(body: string, query = ""): Promise<{ status: number; body: ImportAnswer & { code?: string; message?: string } }> {
  const response = await fetch(`${server.url}/threads/import${query}`, { method: "POST", headers: { "Content-Type": "application/x-ndjson" }, body });
  return { status: response.status, body: (await response.json()) as ImportAnswer & { code?: string; message?: string } };
}

async function exportText(threadId: string): Promise<{ status: number; type: string | null; text: string }> {
  const response = await fetch(`${server.url}/threads/${threadId}/export`);
  return { status: response.status, type: response.headers.get("content-type"), text: await response.text() };
}

async function getJson<T>(path: string): Promise<T> {
  return (await (await fetch(`${server.url}${path}`)).json()) as T;
}

describe("import and export (HTTP)", () => {
  it("round-trips a conversation byte for byte", async () => {
    const original = canonicalConversation();
    const imported = await importJsonl(original, "?title=From%20OldBot");
    expect(imported.status).toBe(201);
    expect(imported.body).toMatchObject({ messages: 11, turns: 3, sessions: 2, thread: { title: "From OldBot", metadata: { imported: { messages: 11, sessions: 2 } } } });
    const exported = await exportText(imported.body.thread_id);
    expect(exported.status).toBe(200);
    expect(exported.type).toContain("application/x-ndjson");
    expect(exported.text).toBe(original);
    // Export → import → export is stable too.
    const again = await importJsonl(exported.text);
    expect((await exportText(again.body.thread_id)).text).toBe(original);
  });

  it("reads speakers, epoch timestamps and session lines, and keeps every content exactly", async () => {
    const imported = await importJsonl(speakerConversation());
    expect(imported.status).toBe(201);
    const lines = (await exportText(imported.body.thread_id)).text.trim().split("\n").map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.map((line) => [line.role, line.name, line.session])).toEqual([
      ["user", "Caroline", "1"],
      ["assistant", "Melanie", "1"],
      ["user", "Caroline", "1"],
      ["assistant", "Melanie", "2"],
    ]);
    expect(lines.map((line) => line.content)).toEqual(["Hi Mel! I went hiking at 黄山 yesterday.", "Wow, Caroline, how was the weather?", "Sunny, 天气很好.", "Back to work today."]);
    expect(lines.map((line) => line.timestamp)).toEqual(["2024-03-01T09:00:00.000Z", "2024-03-01T09:00:00.000Z", "2024-03-01T09:00:00.000Z", "2024-03-05T02:00:00.000Z"]);
  });

  it("rejects a malformed line with its number, and leaves nothing behind", async () => {
    const before = await getJson<unknown[]>("/threads/search").catch(() => []);
    const bad = await importJsonl('{"role":"user","content":"fine"}\n{"role":"robot","content":"?"}\n');
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ code: "invalid_request", message: expect.stringContaining("Line 2") as unknown });
    const orphan = await importJsonl('{"role":"tool","content":"42","tool_call_id":"nope"}\n');
    expect(orphan.status).toBe(400);
    // A Latin-1 file, even declared as such: refused, not stored with U+FFFD where "é" was.
    for (const type of ["application/x-ndjson", "text/plain; charset=iso-8859-1"]) {
      const latin1 = await fetch(`${server.url}/threads/import`, {
        method: "POST",
        headers: { "Content-Type": type },
        body: Buffer.from('{"role":"user","content":"hello"}\n{"role":"assistant","content":"café"}\n', "latin1"),
      });
      expect(latin1.status).toBe(400);
      expect(await latin1.json()).toMatchObject({ code: "invalid_request", details: { line: 2 } });
    }
    expect(before).toBeDefined();
  });

  it("refuses prototype names as roles, years Postgres cannot read and unstorable text, naming the line", async () => {
    const threadCount = async () => ((await (await fetch(`${server.url}/threads/search`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ limit: 1000 }) })).json()) as unknown[]).length;
    const threadsBefore = await threadCount();
    const cases: [line: string, message: string][] = [
      ['{"role":"constructor","content":"x"}', 'unknown role "constructor"'],
      ['{"role":"__proto__","content":"x"}', 'unknown role "__proto__"'],
      ['{"role":"user","content":"x","timestamp":8640000000000000}', "outside the years 1970–2100"],
      // Microseconds, and seconds with a digit too many: no year 7386 or 2511 stored without a word.
      ['{"role":"user","content":"x","timestamp":"170925480000000"}', 'timestamp "170925480000000" read as epoch milliseconds is year 7386, outside the years 1970–2100'],
      ['{"role":"user","content":"x","tool_calls":[{"id":"c1","name":"calculator","args":{}}]}', "tool_calls on a user line: only the assistant's lines make tool calls"],
      ['{"role":"user","content":"x","timestamp":"17092548000"}', 'timestamp "17092548000" read as epoch seconds is year 2511, outside the years 1970–2100'],
      ['{"role":"user","content":"x","timestamp":"+020000-01-01T00:00:00Z"}', "outside the years 0001–9999"],
      ['{"role":"user","content":"x","timestamp":"-000100-01-01T00:00:00Z"}', "outside the years 0001–9999"],
      ['{"role":"user","name":"a\\u0000b","content":"x"}', "It holds a NUL character or an unpaired UTF-16 surrogate at name; such text cannot be stored"],
      ['{"role":"user","content":"x","session":"a\\u0000b"}', "It holds a NUL character or an unpaired UTF-16 surrogate at session; such text cannot be stored"],
      ['{"role":"user","content":"lone \\ud800 surrogate"}', "It holds a NUL character or an unpaired UTF-16 surrogate at content; such text cannot be stored"],
      ['{"role":"user","content":"nul \\u0000 here"}', "It holds a NUL character or an unpaired UTF-16 surrogate at content; such text cannot be stored"],
    ];
    for (const [line, message] of cases) {
      const answer = await importJsonl(`{"role":"user","content":"fine"}\n${line}\n`);
      expect(answer.status, line).toBe(400);
      expect(answer.body, line).toMatchObject({ code: "invalid_request", message: expect.stringContaining(`Line 2: `) as unknown });
      expect(answer.body.message, line).toContain(message);
    }
    expect(await threadCount()).toBe(threadsBefore);
  });

  it("writes tool-call arguments with sorted keys, so a canonical line with nested arguments round-trips byte for byte", async () => {
    const lines = [
      '{"role":"user","content":"book it","timestamp":"2024-01-01T00:00:00.000Z"}',
      '{"role":"assistant","content":"","timestamp":"2024-01-01T00:00:01.000Z","tool_calls":[{"id":"c1","name":"book","args":{"a":"x","nested":{"b":[{"long_key":1,"z":2}],"y":true},"zeta":1}}]}',
      '{"role":"tool","name":"book","content":"done","timestamp":"2024-01-01T00:00:02.000Z","tool_call_id":"c1"}',
    ];
    const canonical = `${lines.join("\n")}\n`;
    const imported = await importJsonl(canonical);
    expect(imported.status).toBe(201);
    expect((await exportText(imported.body.thread_id)).text).toBe(canonical);
    // Keys in another order come back sorted.
    const shuffled = await importJsonl(canonical.replace('{"a":"x","nested"', '{"zeta":1,"a":"x","nested"').replace(',"zeta":1}}]}', "}}]}"));
    expect((await exportText(shuffled.body.thread_id)).text).toBe(canonical);
    // An argument may be named anything, __proto__ too.
    const proto = canonical.replace('{"a":"x","nested"', '{"__proto__":"kept","a":"x","nested"');
    expect((await exportText((await importJsonl(proto)).body.thread_id)).text).toBe(proto);
  });

  it("keeps the arguments an edited call ran with (a tool line's args): transcript, state, export and forks", async () => {
    const lines = [
      '{"role":"user","content":"mail Ada","timestamp":"2024-01-01T00:00:00.000Z"}',
      '{"role":"assistant","content":"","timestamp":"2024-01-01T00:00:01.000Z","tool_calls":[{"id":"c1","name":"send_email","args":{"body":"hi","subject":"Hi","to":"ada@example.com"}}]}',
      '{"role":"tool","name":"send_email","content":"sent","timestamp":"2024-01-01T00:00:02.000Z","tool_call_id":"c1","args":{"body":"hi","subject":"Hi","to":"grace@example.com"}}',
      '{"role":"assistant","content":"Sent to Grace.","timestamp":"2024-01-01T00:00:03.000Z"}',
    ];
    const canonical = `${lines.join("\n")}\n`;
    const imported = await importJsonl(canonical);
    expect(imported.status).toBe(201);
    const threadId = imported.body.thread_id;
    expect((await exportText(threadId)).text).toBe(canonical);
    const page = await getJson<{ messages: { role: string; args?: unknown }[] }>(`/threads/${threadId}/messages`);
    expect(page.messages.find((message) => message.role === "tool")?.args).toEqual({ body: "hi", subject: "Hi", to: "grace@example.com" });
    const state = await getJson<{ values: { messages: { type: string; response_metadata?: Record<string, unknown> }[] } }>(`/threads/${threadId}/state`);
    expect(state.values.messages.find((message) => message.type === "tool")?.response_metadata).toMatchObject({ threadline_edited_args: { to: "grace@example.com" } });
    const copy = (await (await fetch(`${server.url}/threads/${threadId}/copy`, { method: "POST" })).json()) as { thread_id: string };
    expect((await exportText(copy.thread_id)).text).toBe(canonical);
    // args belong to tool lines: refused when not an object, ignored on other lines.
    const bad = await importJsonl(canonical.replace('"args":{"body":"hi","subject":"Hi","to":"grace@example.com"}', '"args":["grace"]'));
    expect(bad).toMatchObject({ status: 400, body: { code: "invalid_request", message: expect.stringContaining("Line 3: args: args must be an object") as unknown } });
    const stray = await importJsonl('{"role":"user","content":"hi","args":{"x":1}}\n');
    expect((await exportText(stray.body.thread_id)).text).not.toContain('"args"');
  });

  it("keeps when a tool started (a tool line's started_at): transcript, export byte for byte, copies, and a chatted call's start", async () => {
    const lines = [
      '{"role":"user","content":"6*7?","timestamp":"2024-01-01T00:00:00.000Z"}',
      '{"role":"assistant","content":"","timestamp":"2024-01-01T00:00:01.000Z","tool_calls":[{"id":"c1","name":"calculator","args":{"expression":"6*7"}},{"id":"c2","name":"calculator","args":{"expression":"1/0"}}]}',
      '{"role":"tool","name":"calculator","content":"42","timestamp":"2024-01-01T00:00:02.000Z","tool_call_id":"c1","started_at":"2024-01-01T00:00:01.250Z"}',
      '{"role":"tool","name":"calculator","content":"division by zero","timestamp":"2024-01-01T00:00:03.000Z","tool_call_id":"c2","started_at":"2024-01-01T00:00:02.990Z","status":"error"}',
      '{"role":"assistant","content":"42.","timestamp":"2024-01-01T00:00:04.000Z"}',
    ];
    const canonical = `${lines.join("\n")}\n`;
    const imported = await importJsonl(canonical);
    expect(imported.status).toBe(201);
    const threadId = imported.body.thread_id;
    expect((await exportText(threadId)).text).toBe(canonical);
    const page = await getJson<{ messages: { role: string; started_at?: string; created_at: string }[] }>(`/threads/${threadId}/messages`);
    expect(page.messages.map((message) => message.started_at)).toEqual([undefined, undefined, "2024-01-01T00:00:01.250Z", "2024-01-01T00:00:02.990Z", undefined]);
    const copy = (await (await fetch(`${server.url}/threads/${threadId}/copy`, { method: "POST" })).json()) as { thread_id: string };
    expect((await exportText(copy.thread_id)).text).toBe(canonical);
    // A start after its own result is refused by line; a start on a user line is ignored.
    const late = await importJsonl(canonical.replace('"started_at":"2024-01-01T00:00:01.250Z"', '"started_at":"2024-01-01T00:00:02.500Z"'));
    expect(late).toMatchObject({ status: 400, body: { code: "invalid_request", message: expect.stringContaining("Line 3: started_at") as unknown } });
    const stray = await importJsonl('{"role":"user","content":"hi","started_at":"2020-01-01T00:00:00Z"}\n');
    expect((await exportText(stray.body.thread_id)).text).not.toContain("started_at");

    // A chatted call: its row's start (from its tool.started) goes out and comes back.
    await using client = await TestWsClient.connect(server.wsUrl);
    const chatted = await client.call<{ thread_id: string }>("thread.open", {});
    const { final } = await chat(client, chatted.thread_id, '/tool calculator {"expression":"6*7"}');
    expect(final.event).toBe("run.completed");
    const exported = (await exportText(chatted.thread_id)).text;
    const toolLine = exported.split("\n").map((line) => (line ? (JSON.parse(line) as Record<string, unknown>) : {})).find((line) => line.role === "tool");
    expect(toolLine?.started_at).toEqual(expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/));
    expect(Date.parse(String(toolLine?.started_at))).toBeLessThanOrEqual(Date.parse(String(toolLine?.timestamp)));
    const reimported = await importJsonl(exported);
    expect(reimported.status).toBe(201);
    expect((await exportText(reimported.body.thread_id)).text).toBe(exported);
  });

  it("forks an imported conversation with its history intact: times, sessions, names and system lines", async () => {
    const lines = canonicalConversation().split("\n").filter(Boolean);
    // A system line between the sessions: it is in the transcript only, never in the state.
    lines.splice(7, 0, JSON.stringify({ role: "system", content: "Second session.", timestamp: "2024-03-02T18:29:00.000Z", session: "s2" }));
    const original = `${lines.join("\n")}\n`;
    const imported = await importJsonl(original);
    expect((await exportText(imported.body.thread_id)).text).toBe(original);
    const fork = await fetch(`${server.url}/threads/${imported.body.thread_id}/copy`, { method: "POST" });
    const { thread_id: forkId, metadata: copyMetadata } = (await fork.json()) as { thread_id: string; metadata: Record<string, unknown> };
    expect((await exportText(forkId)).text).toBe(original);
    // A copy or fork was not imported: it names its origin, and does not claim the import's messages, sessions and time.
    expect(imported.body.thread).toMatchObject({ metadata: { imported: { messages: 12, sessions: 2 } } });
    expect(copyMetadata).toEqual({ assistant_id: "chat", graph_id: "chat", forked_from: { thread_id: imported.body.thread_id, checkpoint_id: imported.body.checkpoint_id } });
    await using client = await TestWsClient.connect(server.wsUrl);
    const wsFork = await client.call<{ metadata: Record<string, unknown> }>("state.fork", { thread_id: imported.body.thread_id, checkpoint_id: imported.body.checkpoint_id });
    expect(wsFork.metadata).not.toHaveProperty("imported");
    expect(wsFork.metadata.forked_from).toEqual({ thread_id: imported.body.thread_id, checkpoint_id: imported.body.checkpoint_id });
    // A system line after the last message (the end of the conversation) comes along too.
    const trailing = `${original}${JSON.stringify({ role: "system", content: "Conversation closed.", timestamp: "2024-03-03T00:00:00.000Z", session: "s2" })}\n`;
    const closed = await importJsonl(trailing);
    const copied = (await (await fetch(`${server.url}/threads/${closed.body.thread_id}/copy`, { method: "POST" })).json()) as { thread_id: string };
    expect((await exportText(copied.thread_id)).text).toBe(trailing);
  });

  it("accepts the JSON form too", async () => {
    const response = await fetch(`${server.url}/threads/import`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ conversation: [{ role: "user", content: "hi" }, { role: "assistant", content: "hello" }], title: "JSON form" }),
    });
    expect(response.status).toBe(201);
    expect(await response.json()).toMatchObject({ messages: 2, thread: { title: "JSON form" } });
    // Its options are in the body; options in the query would be ignored, so they are refused and nothing is created.
    const threadCount = async () => ((await (await fetch(`${server.url}/threads/search`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ limit: 1000 }) })).json()) as unknown[]).length;
    const before = await threadCount();
    const queried = await fetch(`${server.url}/threads/import?title=x`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ conversation: [{ role: "user", content: "hi" }] }),
    });
    expect(queried.status).toBe(400);
    expect(await queried.json()).toMatchObject({ code: "invalid_request", message: expect.stringMatching(/options go in the JSON body.*title/) as unknown });
    expect(await threadCount()).toBe(before);
  });

  it("titles an untitled import from its first user message, as if it had been chatted", async () => {
    const conversation = [{ role: "system", content: "Be brief." }, { role: "assistant", content: "Hello!" }, { role: "user", content: "**Plan** a trip\nto Lisbon" }, { role: "assistant", content: "Sure." }];
    const response = await fetch(`${server.url}/threads/import`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ conversation }) });
    expect(response.status).toBe(201);
    const { thread } = (await response.json()) as { thread: { thread_id: string; title: string | null } };
    expect(thread.title).toBe("Plan a trip");
    // Its next message is not its first: the title stays.
    const run = await fetch(`${server.url}/threads/${thread.thread_id}/runs/wait`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ input: { messages: [{ role: "user", content: "And Porto?" }] } }) });
    expect(run.status).toBe(200);
    await run.text();
    expect(((await (await fetch(`${server.url}/threads/${thread.thread_id}`)).json()) as { title: string }).title).toBe("Plan a trip");
  });
});

describe("an import whose summary the provider refuses", () => {
  it("answers model_error with the provider's words (no key) and creates nothing", async () => {
    await using provider = await startRecordingServer((_request, response) => {
      response.writeHead(400, { "Content-Type": "application/json" }).end(JSON.stringify({ error: { message: "context too long for key sk-abcdefghijklmnop", type: "invalid_request_error" } }));
    });
    const own = await startTestServer({ databaseUrl: database.url, env: { OPENAI_API_KEY: "sk-test-import-key", OPENAI_BASE_URL: `${provider.url}/v1` } });
    try {
      const created = await fetch(`${own.url}/assistants`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ graph_id: "chat", context: { model: "openai:gpt-4o-mini", context_budget: 2000 } }),
      });
      const { assistant_id } = (await created.json()) as { assistant_id: string };
      const threadsBefore = (await (await fetch(`${own.url}/threads/search`, { method: "POST", headers: { "Content-Type": "application/json" }, body: "{}" })).json()) as unknown[];
      const lines = Array.from({ length: 200 }, (_, index) => JSON.stringify({ role: index % 2 ? "assistant" : "user", content: `message ${index} with some words in it` }));
      const response = await fetch(`${own.url}/threads/import?assistant_id=${assistant_id}`, { method: "POST", headers: { "Content-Type": "application/x-ndjson" }, body: lines.join("\n") });
      const body = (await response.json()) as { code: string; message: string };
      expect(response.status).toBe(502);
      expect(body.code).toBe("model_error");
      expect(body.message).toContain("context too long");
      expect(body.message).not.toContain("sk-abcdefghijklmnop");
      expect(provider.requests.length).toBeGreaterThan(0);
      const threadsAfter = (await (await fetch(`${own.url}/threads/search`, { method: "POST", headers: { "Content-Type": "application/json" }, body: "{}" })).json()) as unknown[];
      expect(threadsAfter).toHaveLength(threadsBefore.length);
    } finally {
      await own.close();
    }
  });
});

describe("an imported thread behaves as if it had been chatted", () => {
  it("has a bounded working context and a summary, a searchable transcript, and chats, replays and forks", async () => {
    const imported = await importJsonl(longConversation(400));
    expect(imported.status).toBe(201);
    const threadId = imported.body.thread_id;
    expect(imported.body.folds).toBeGreaterThan(0);
    await using client = await TestWsClient.connect(server.wsUrl);
    const state = await client.call<{ values: { messages: { content: string; type: string }[]; summary: RunningSummary }; checkpoint: { checkpoint_id: string } }>("state.get", { thread_id: threadId });
    expect(state.values.summary.text).toMatch(/earlier messages, oldest first/);
    expect(state.values.summary.message_count + state.values.messages.length).toBe(imported.body.messages);
    expect(state.values.messages.length).toBe(imported.body.working_messages);
    expect(state.values.messages[0]?.type).toBe("human");
    expect(state.checkpoint.checkpoint_id).toBe(imported.body.checkpoint_id);
    // The whole transcript is there, paginated, including what was folded.
    const page = await client.call<{ messages: { content: string; created_at: string }[]; next_before: number }>("messages.list", { thread_id: threadId, limit: 2 });
    expect(page.messages.map((message) => message.content)).toEqual(["第399轮：我们讨论了天气和数据库索引，编号 399。", "Answer 399: here is what I know about topic 399."]);
    expect(page.messages[0]?.created_at).toBe(new Date(Date.parse("2023-01-01T00:00:00.000Z") + 399 * 60_000).toISOString());
    const early = await fetch(`${server.url}/threads/${threadId}/messages/search`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ query: "第3轮" }) });
    const hits = ((await early.json()) as { results: { seq: number; content: string }[] }).results;
    expect(hits[0]?.content).toBe("第3轮：我们讨论了天气和数据库索引，编号 3。");
    // Chat on: the fake model answers the new message, within the working context.
    const { final } = await chat(client, threadId, "What did we talk about?");
    expect(final.event).toBe("run.completed");
    const after = await client.call<{ values: { messages: { content: string }[]; summary: RunningSummary } }>("state.get", { thread_id: threadId });
    expect(after.values.messages.at(-1)?.content).toBe("You said: What did we talk about?");
    // Fork and replay from the import's checkpoint.
    const fork = await client.call<{ thread_id: string }>("state.fork", { thread_id: threadId, checkpoint_id: imported.body.checkpoint_id });
    const forked = await client.call<{ values: { messages: unknown[]; summary: RunningSummary } }>("state.get", { thread_id: fork.thread_id });
    expect(forked.values.summary).toEqual(state.values.summary);
    expect(forked.values.messages).toHaveLength(state.values.messages.length);
    // The fork's transcript is the whole conversation up to that point, folded turns included.
    const forkedHistory: string[] = [];
    for (let before: number | null | undefined; before !== null; ) {
      const older = await client.call<{ messages: { content: string }[]; next_before: number | null }>("messages.list", { thread_id: fork.thread_id, limit: 200, ...(before ? { before } : {}) });
      forkedHistory.unshift(...older.messages.map((message) => message.content));
      before = older.next_before;
    }
    expect(forkedHistory).toHaveLength(imported.body.messages);
    expect(forkedHistory[0]).toBe("第0轮：我们讨论了天气和数据库索引，编号 0。");
    expect(forkedHistory.at(-1)).toBe("Answer 399: here is what I know about topic 399.");
    const replay = await client.call<{ run_id: string }>("run.start", { thread_id: threadId, checkpoint_id: imported.body.checkpoint_id, input: { messages: [{ role: "user", content: "replayed" }] } });
    const replayed = await client.waitFor((frame) => frame.run_id === replay.run_id && (frame.event === "run.completed" || frame.event === "run.failed"));
    expect(replayed.event).toBe("run.completed");
  });

  it("imports 10,000 turns at bulk speed and reports the throughput", async () => {
    const text = longConversation(10_000);
    const imported = await importJsonl(text);
    expect(imported.status).toBe(201);
    expect(imported.body).toMatchObject({ turns: 10_000, messages: 20_000 + 2 * 200, sessions: 100 });
    // The number the issue asks for (turns/s, import over HTTP on this machine's Postgres).
    process.stdout.write(`10,000-turn import: ${imported.body.duration_ms} ms, ${imported.body.turns_per_second} turns/s, ${imported.body.folds} folds, ${imported.body.working_messages} working messages\n`);
    expect(imported.body.working_messages).toBeLessThan(200);
    const exported = await exportText(imported.body.thread_id);
    expect(exported.text).toBe(text);
  });
});
