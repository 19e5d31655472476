import { readFile } from "node:fs/promises";
import { Client } from "@langchain/langgraph-sdk";
import { MessageTupleManager } from "@langchain/langgraph-sdk/ui";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningServer } from "../../src/app.js";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database.js";
import { startTestServer } from "../helpers/test-server.js";

interface Message {
  type: string;
  content: string;
  id?: string;
}
interface State {
  messages: Message[];
}
interface Part {
  event: string;
  data: unknown;
  id?: string;
}

const SDK_PACKAGE = new URL("../../node_modules/@langchain/langgraph-sdk/package.json", import.meta.url);

let database: TestDatabase;
let server: RunningServer;
let client: Client<State>;

beforeAll(async () => {
  database = await createTestDatabase();
  server = await startTestServer({ databaseUrl: database.url, env: { AUTH_MODE: "apikey", FAKE_CHUNK_DELAY_MS: 300 } });
  const { key } = await server.services.apiKeys.create("sdk-user");
  // The SDK's `apiKey` option sends `x-api-key`; Threadline reads bearer tokens.
  client = new Client<State>({ apiUrl: server.url, apiKey: null, defaultHeaders: { Authorization: `Bearer ${key}` } });
});
afterAll(async () => {
  await server.close();
  await database.drop();
});

async function collect(parts: AsyncIterable<Part>, stopAfter?: (part: Part) => boolean): Promise<Part[]> {
  const seen: Part[] = [];
  for await (const part of parts) {
    seen.push(part);
    if (stopAfter?.(part)) break;
  }
  return seen;
}

function text(parts: Part[]): string {
  return parts
    .filter((part) => part.event === "messages")
    .map((part) => (part.data as [Message])[0].content)
    .join("");
}

const human = (content: string) => ({ messages: [{ role: "human", content }] });

describe("@langchain/langgraph-sdk against Threadline", () => {
  it("is the 1.x line", async () => {
    const { version } = JSON.parse(await readFile(SDK_PACKAGE, "utf8")) as { version: string };
    expect(version).toMatch(/^1\./);
  });

  it("runs.stream: metadata first, message tuples with the reply, updates, and the final values", async () => {
    const thread = await client.threads.create({ metadata: { via: "sdk" } });
    const created: { run_id: string; thread_id?: string }[] = [];
    const parts = await collect(
      client.runs.stream(thread.thread_id, "chat", {
        input: human("hello from the sdk"),
        streamMode: ["values", "messages-tuple", "updates"],
        onRunCreated: (meta) => created.push(meta),
      }),
    );
    expect(parts[0]).toMatchObject({ event: "metadata", data: { run_id: created[0]?.run_id } });
    expect(created[0]?.thread_id).toBe(thread.thread_id);
    expect(text(parts)).toBe("You said: hello from the sdk");
    expect(parts.filter((part) => part.event === "updates").map((part) => Object.keys(part.data as object))).toEqual([["model"]]);
    const last = parts.filter((part) => part.event === "values").at(-1)?.data as State;
    expect(last.messages.map((message) => [message.type, message.content])).toEqual([
      ["human", "hello from the sdk"],
      ["ai", "You said: hello from the sdk"],
    ]);
    expect(parts.every((part) => part.id !== undefined)).toBe(true);
  });

  it("runs.create + runs.join, runs.wait, runs.list and runs.get", async () => {
    const thread = await client.threads.create();
    const run = await client.runs.create(thread.thread_id, "chat", { input: human("background via sdk") });
    expect(run.thread_id).toBe(thread.thread_id);
    const joined = await client.runs.join(thread.thread_id, run.run_id);
    expect(joined.messages.at(-1)?.content).toBe("You said: background via sdk");
    const waited = (await client.runs.wait(thread.thread_id, "chat", { input: human("and wait") })) as unknown as State;
    expect(waited.messages.map((message) => message.content)).toEqual(["background via sdk", "You said: background via sdk", "and wait", "You said: and wait"]);
    await expect(client.runs.wait(thread.thread_id, "chat", { input: human("/fail nope") })).rejects.toThrow(/model_error/);
    const runs = await client.runs.list(thread.thread_id);
    expect(runs.map((entry) => entry.status)).toEqual(["error", "success", "success"]);
    expect((await client.runs.get(thread.thread_id, run.run_id)).status).toBe("success");
  });

  it("runs.wait with durability \"exit\": one checkpoint for the run, read back by getHistory", async () => {
    const thread = await client.threads.create();
    await client.runs.wait(thread.thread_id, "chat", { input: human("checkpoint me once"), durability: "exit" });
    const history = await client.threads.getHistory<State>(thread.thread_id, { limit: 10 });
    expect(history.map((entry) => entry.values.messages?.map((message) => message.content))).toEqual([["checkpoint me once", "You said: checkpoint me once"]]);
  });

  it("runs.cancel stops a slow run: interrupted (its default action, as on LangGraph Platform), or rolled back", async () => {
    const thread = await client.threads.create();
    const run = await client.runs.create(thread.thread_id, "chat", { input: human("a slow answer that will be cut short") });
    await collect(client.runs.joinStream(thread.thread_id, run.run_id, { streamMode: ["messages-tuple"] }), (part) => part.event === "messages");
    await client.runs.cancel(thread.thread_id, run.run_id, true);
    expect((await client.runs.get(thread.thread_id, run.run_id)).status).toBe("interrupted");
    expect((await client.threads.get(thread.thread_id)).status).toBe("interrupted");

    const other = await client.threads.create();
    const second = await client.runs.create(other.thread_id, "chat", { input: human("a slow answer that will be rolled back") });
    await collect(client.runs.joinStream(other.thread_id, second.run_id, { streamMode: ["messages-tuple"] }), (part) => part.event === "messages");
    await client.runs.cancel(other.thread_id, second.run_id, true, "rollback");
    expect((await client.runs.get(other.thread_id, second.run_id)).status).toBe("cancelled");
    expect((await client.threads.getState<State>(other.thread_id)).values.messages ?? []).toEqual([]);
  });

  it("threads.getState, getHistory, updateState and copy", async () => {
    const thread = await client.threads.create();
    await client.runs.wait(thread.thread_id, "chat", { input: human("remember this") });
    const state = await client.threads.getState<State>(thread.thread_id);
    expect(state.values.messages.map((message) => message.type)).toEqual(["human", "ai"]);
    const history = await client.threads.getHistory<State>(thread.thread_id, { limit: 10 });
    expect(history[0]?.checkpoint.checkpoint_id).toBe(state.checkpoint.checkpoint_id);
    expect(history.length).toBeGreaterThan(1);
    const older = history.find((entry) => entry.values.messages?.length === 1);
    expect(older).toBeDefined();

    const updated = await client.threads.updateState(thread.thread_id, { values: { messages: [{ type: "ai", content: "a note" }] }, asNode: "model" });
    expect(updated.configurable?.checkpoint_id).not.toBe(state.checkpoint.checkpoint_id);
    expect((updated as unknown as { checkpoint: { checkpoint_id: string } }).checkpoint.checkpoint_id).toBe(updated.configurable?.checkpoint_id);
    const copy = await client.threads.copy(thread.thread_id);
    const copied = await client.threads.getState<State>(copy.thread_id);
    expect(copied.values.messages.map((message) => message.content)).toEqual(["remember this", "You said: remember this", "a note"]);
  });

  it("threads.getHistory honours metadata and checkpoint (they were ignored); anything else in the body is refused", async () => {
    const thread = await client.threads.create();
    await client.runs.wait(thread.thread_id, "chat", { input: human("first") });
    await client.runs.wait(thread.thread_id, "chat", { input: human("second") });
    const all = await client.threads.getHistory<State>(thread.thread_id, { limit: 100 });
    const inputs = await client.threads.getHistory<State>(thread.thread_id, { limit: 100, metadata: { source: "input" } });
    expect(inputs.length).toBeGreaterThan(0);
    expect(inputs.length).toBeLessThan(all.length);
    expect(inputs.map((entry) => entry.metadata?.source)).toEqual(inputs.map(() => "input"));
    expect(inputs.map((entry) => entry.checkpoint.checkpoint_id)).toEqual(all.filter((entry) => entry.metadata?.source === "input").map((entry) => entry.checkpoint.checkpoint_id));
    expect(await client.threads.getHistory(thread.thread_id, { metadata: { source: "nothing-like-this" } })).toEqual([]);

    const picked = all[2];
    const one = await client.threads.getHistory<State>(thread.thread_id, { checkpoint: { checkpoint_id: picked?.checkpoint.checkpoint_id } });
    expect(one.map((entry) => entry.checkpoint.checkpoint_id)).toEqual([picked?.checkpoint.checkpoint_id]);
    expect(one[0]?.values).toEqual(picked?.values);

    const { key } = await server.services.apiKeys.create("sdk-user");
    for (const body of [{ select: ["nope"] }, { limit: 3, filter: {} }, { checkpoint: { checkpoint_id: "x", thread_id: "elsewhere" } }]) {
      const refused = await fetch(`${server.url}/threads/${thread.thread_id}/history`, { method: "POST", headers: { Authorization: `Bearer ${key}`, "Content-Type": "application/json" }, body: JSON.stringify(body) });
      expect(refused.status).toBe(400);
      expect(await refused.json()).toMatchObject({ code: "invalid_request" });
    }
  });

  it("getState and getHistory honour select: the fields named, values.<key> for one key (it was refused or ignored)", async () => {
    const thread = await client.threads.create();
    await client.runs.wait(thread.thread_id, "chat", { input: human("pick") });
    const state = await client.threads.getState<State>(thread.thread_id, undefined, { select: ["values.messages", "next"] });
    expect(Object.keys(state).sort()).toEqual(["next", "values"]);
    expect(Object.keys(state.values)).toEqual(["messages"]);
    expect(state.values.messages.at(-1)?.content).toBe("You said: pick");
    const history = await client.threads.getHistory<State>(thread.thread_id, { limit: 2, select: ["checkpoint"] });
    expect(history.map((entry) => Object.keys(entry))).toEqual([["checkpoint"], ["checkpoint"]]);
    const at = history[1]?.checkpoint.checkpoint_id ?? "";
    expect(Object.keys(await client.threads.getState(thread.thread_id, at, { select: ["metadata"] }))).toEqual(["metadata"]);
    const checkpoint = { thread_id: thread.thread_id, checkpoint_ns: "", checkpoint_id: at, checkpoint_map: null };
    expect(Object.keys(await client.threads.getState(thread.thread_id, checkpoint, { select: ["created_at"] }))).toEqual(["created_at"]);
    // A field no state has (the SDK's types would not let it through; a plain HTTP client can send it).
    const unknown = ["vals"] as unknown as ["values"];
    await expect(client.threads.getState(thread.thread_id, undefined, { select: unknown })).rejects.toThrow(/400/);
  });

  it("threads.create with supersteps seeds the new thread (state and transcript); unknown nodes are refused first", async () => {
    const seeded = await client.threads.create({
      supersteps: [
        { updates: [{ values: { messages: [{ type: "human", content: "seeded question" }] }, asNode: "model" }] },
        { updates: [{ values: { messages: [{ type: "ai", content: "seeded answer" }] }, asNode: "model" }] },
      ],
    });
    const state = await client.threads.getState<State>(seeded.thread_id);
    expect(state.values.messages.map((message) => message.content)).toEqual(["seeded question", "seeded answer"]);
    const { key } = await server.services.apiKeys.create("sdk-user");
    const listed = await fetch(`${server.url}/threads/${seeded.thread_id}/messages`, { headers: { Authorization: `Bearer ${key}` } });
    const transcript = (await listed.json()) as { messages: { content: string }[] };
    expect(transcript.messages.map((message) => message.content)).toEqual(["seeded question", "seeded answer"]);
    await client.runs.wait(seeded.thread_id, "chat", { input: human("and now?") });
    expect((await client.threads.getState<State>(seeded.thread_id)).values.messages).toHaveLength(4);

    const before = (await client.threads.search({ limit: 100 })).length;
    await expect(client.threads.create({ supersteps: [{ updates: [{ values: {}, asNode: "no-such-node" }] }] })).rejects.toThrow(/400|no-such-node/);
    expect((await client.threads.search({ limit: 100 })).length).toBe(before);
  });

  it("threads.create with supersteps copies a thread step by step, starting with its input (`__input__`) as LangGraph does", async () => {
    const input = { messages: [{ type: "human", content: "copied question" }] };
    const copied = await client.threads.create({
      supersteps: [
        { updates: [{ values: input, asNode: "__input__" }] },
        { updates: [{ values: input, asNode: "__start__" }] },
        { updates: [{ values: { messages: [{ type: "ai", content: "copied answer" }] }, asNode: "model" }] },
      ],
    });
    const state = await client.threads.getState<State>(copied.thread_id);
    expect(state.values.messages.map((message) => message.content)).toEqual(["copied question", "copied answer"]);
    expect(state.next).toEqual([]);
    const history = await client.threads.getHistory(copied.thread_id, { limit: 10 });
    expect(history.map((checkpoint) => checkpoint.metadata?.source)).toEqual(["update", "update", "input"]);
    const { key } = await server.services.apiKeys.create("sdk-user");
    const listed = await fetch(`${server.url}/threads/${copied.thread_id}/messages`, { headers: { Authorization: `Bearer ${key}` } });
    expect(((await listed.json()) as { messages: { content: string }[] }).messages.map((message) => message.content)).toEqual(["copied question", "copied answer"]);
    await client.runs.wait(copied.thread_id, "chat", { input: human("and now?") });
    expect((await client.threads.getState<State>(copied.thread_id)).values.messages.map((message) => message.content)).toEqual([
      "copied question",
      "copied answer",
      "and now?",
      "You said: and now?",
    ]);
  });

  it("joinStream with lastEventId resumes where an interrupted stream stopped", async () => {
    const thread = await client.threads.create();
    const modes: ("values" | "messages-tuple" | "updates")[] = ["values", "messages-tuple", "updates"];
    const runIds: string[] = [];
    const first = await collect(
      client.runs.stream(thread.thread_id, "chat", { input: human("resume me later"), streamMode: modes, onRunCreated: (meta) => runIds.push(meta.run_id) }),
      (part) => part.event === "messages",
    );
    const runId = runIds[0] ?? "";
    const lastEventId = first.at(-1)?.id;
    expect(lastEventId).toBeDefined();
    const rest = await collect(client.runs.joinStream(thread.thread_id, runId, { lastEventId, streamMode: modes }));
    expect(rest.at(-1)).toMatchObject({ event: "end" });
    expect(text([...first, ...rest])).toBe("You said: resume me later");

    const replay = await collect(client.runs.joinStream(thread.thread_id, runId, { lastEventId: "-1", streamMode: modes }));
    expect(replay.map((part) => part.id)).toEqual([...first, ...rest].map((part) => part.id));
  });

  it("useStream's MessageTupleManager rebuilds a tool-calling reply from the message tuples", async () => {
    const thread = await client.threads.create();
    const parts = await collect(client.runs.stream(thread.thread_id, "chat", { input: human('/tool calculator {"expression":"6*7"}'), streamMode: ["messages-tuple"] }));
    const manager = new MessageTupleManager();
    const ids = parts
      .filter((part) => part.event === "messages")
      .map((part) => {
        const [message, metadata] = part.data as Parameters<MessageTupleManager["add"]>;
        return manager.add(message, metadata);
      });
    const [callId, toolId, answerId] = [...new Set(ids)];
    const call = manager.get(callId)?.chunk as { tool_calls?: { name: string; args: unknown }[] } | undefined;
    expect(call?.tool_calls).toEqual([expect.objectContaining({ name: "calculator", args: { expression: "6*7" } })]);
    expect((manager.get(toolId)?.chunk as { content?: string } | undefined)?.content).toBe("42");
    expect((manager.get(answerId)?.chunk as { content?: string } | undefined)?.content).toBe("Tool calculator returned: 42");
  });
});

describe("the SDK's own reconnect through a server restart", () => {
  it("runs.stream reconnects to Location with Last-Event-ID and finishes the run's story", async () => {
    const env = { FAKE_CHUNK_DELAY_MS: 600, FAKE_REPLY_MIN_CHARS: 200, SHUTDOWN_GRACE_MS: 100, RUN_LEASE_MS: 2000 };
    const first = await startTestServer({ databaseUrl: database.url, env });
    const port = new URL(first.url).port;
    const sdk = new Client<State>({ apiUrl: first.url, apiKey: null });
    const thread = await sdk.threads.create();
    const parts: Part[] = [];
    let restarted: RunningServer | undefined;
    try {
      for await (const part of sdk.runs.stream(thread.thread_id, "chat", { input: human("keep streaming"), streamMode: ["values", "messages-tuple"] })) {
        parts.push(part);
        if (part.event === "messages" && !restarted) {
          await first.close();
          restarted = await startTestServer({ databaseUrl: database.url, env: { ...env, PORT: Number(port) } });
        }
      }
    } finally {
      await first.close();
      await restarted?.close();
    }
    expect(restarted).toBeDefined();
    expect(parts.at(-1)).toMatchObject({ event: "end", data: { status: "success" } });
    const ids = parts.map((part) => part.id ?? "");
    expect(new Set(ids).size).toBe(ids.length);
    const last = parts.filter((part) => part.event === "values").at(-1)?.data as State;
    expect(last.messages.map((message) => message.type)).toEqual(["human", "ai"]);
    expect(last.messages[1]?.content.startsWith("You said: keep streaming")).toBe(true);
  });
});
