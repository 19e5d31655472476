import { Client } from "@langchain/langgraph-sdk";
import { describe, expect, it } from "vitest";
import { type RunBody, useHttpRunsServer, type Values } from "./http-runs-fixture.js";
import { userInput } from "./http-runs-support.js";

// `/wait` answers its status and headers as soon as the run is created, as LangGraph Platform does, and the body
// (the final values) when the run ends: a client reads the run's ids from `Content-Location` while it waits.
const fixture = useHttpRunsServer();
const { alice, newThread } = fixture;
const server = () => fixture.server();

// Less than the 5 s after which a wait writes its first keep-alive newline (which sent the headers before).
const HEADERS_WITHIN_MS = 4_000;

/**
 * Open a `/wait` as alice: resolves when the status line and headers arrive, not when the body does. Fails when they
 * take longer than `HEADERS_WITHIN_MS`.
 */
async function openWait(path: string, body: unknown): Promise<Response> {
  const opened = fetch(`${server().url}${path}`, {
    method: "POST",
    headers: { Authorization: `Bearer ${fixture.aliceKey()}`, "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`no status line within ${HEADERS_WITHIN_MS} ms`)), HEADERS_WITHIN_MS);
  });
  try {
    return await Promise.race([opened, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** A run that stays pending (it starts in ten minutes): whatever answers meanwhile was sent before it ended. */
const later = (text: string) => ({ input: userInput(text), after_seconds: 600 });

describe("POST …/runs/wait sends its headers at once", () => {
  it("a thread's wait: 200 and Content-Location while the run is pending; the values when it ends", async () => {
    const threadId = await newThread();
    const response = await openWait(`/threads/${threadId}/runs/wait`, later("wait for me"));
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^application\/json/);
    const runPath = response.headers.get("content-location") ?? "";
    expect(runPath).toMatch(new RegExp(`^/threads/${threadId}/runs/[0-9a-f-]{36}$`));
    expect(response.headers.get("location")).toBe(`${runPath}/join`);
    // The run has not ended: the headers came before it did. An app cancels it by the ids it read there.
    expect((await alice()<RunBody>("GET", runPath)).body.status).toBe("pending");
    expect((await alice()("POST", `${runPath}/cancel?action=cancel`)).status).toBe(202);
    const values = (await response.json()) as Values;
    expect(values.__error__).toBeUndefined();
    expect((await alice()<RunBody>("GET", runPath)).body.status).toBe("cancelled");
  });

  it("a stateless wait: the same, naming the run's own thread, which is deleted once it ends", async () => {
    const response = await openWait("/runs/wait", later("no thread"));
    expect(response.status).toBe(200);
    const runPath = response.headers.get("content-location") ?? "";
    const threadId = /^\/threads\/([0-9a-f-]{36})\/runs\/[0-9a-f-]{36}$/.exec(runPath)?.[1];
    expect(threadId).toBeDefined();
    expect((await alice()<RunBody>("GET", runPath)).body.status).toBe("pending");
    await alice()("POST", `${runPath}/cancel?action=cancel`);
    expect(await response.json()).toBeTypeOf("object");
    await expect.poll(async () => (await alice()("GET", `/threads/${threadId}`)).status).toBe(404);
  });

  // The JS SDK (1.x) calls onRunCreated once it has read the whole body; clients that read headers first see them at once.
  it("the SDK's runs.wait reads the run's ids and returns the values", async () => {
    const client = new Client({ apiUrl: server().url, apiKey: null, defaultHeaders: { Authorization: `Bearer ${fixture.aliceKey()}` } });
    const thread = await client.threads.create();
    const created: { run_id: string; thread_id?: string }[] = [];
    const values = (await client.runs.wait(thread.thread_id, "chat", { input: userInput("hello"), onRunCreated: (run) => created.push(run) })) as unknown as Values;
    expect(values.messages.at(-1)?.content).toBe("You said: hello");
    expect(created).toEqual([{ run_id: expect.any(String) as string, thread_id: thread.thread_id }]);
    const stateless = (await client.runs.wait(null, "chat", { input: userInput("stateless"), onRunCreated: (run) => created.push(run) })) as unknown as Values;
    expect(stateless.messages.at(-1)?.content).toBe("You said: stateless");
    expect(created[1]?.thread_id).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe("POST …/runs/wait errors", () => {
  it("a request refused before the run is created keeps its status", async () => {
    const unknown = await alice()<{ code: string }>("POST", "/threads/00000000-0000-4000-8000-000000000000/runs/wait", { input: userInput("x") });
    expect([unknown.status, unknown.body.code]).toEqual([404, "not_found"]);
    const invalid = await alice()<{ code: string }>("POST", "/runs/wait", { input: { messages: [] } });
    expect([invalid.status, invalid.body.code]).toEqual([400, "invalid_request"]);
    const threadId = await newThread();
    const busy = await openWait(`/threads/${threadId}/runs/wait`, later("first"));
    const refused = await alice()<{ code: string }>("POST", `/threads/${threadId}/runs/wait`, { input: userInput("second"), multitask_strategy: "reject" });
    expect([refused.status, refused.body.code]).toEqual([409, "thread_busy"]);
    await alice()("POST", `${busy.headers.get("content-location")}/cancel?action=cancel`);
    await busy.text();
  });

  it("once the run is created the status is 200: a run that fails at once, or a thread deleted meanwhile, is __error__", async () => {
    const threadId = await newThread();
    const failed = await alice()<Values>("POST", `/threads/${threadId}/runs/wait`, { input: userInput("/fail the model broke") });
    expect(failed.status).toBe(200);
    expect(failed.body.__error__).toMatchObject({ error: "model_error" });

    const doomed = await newThread();
    const response = await openWait(`/threads/${doomed}/runs/wait`, later("never answered"));
    expect(response.status).toBe(200);
    expect((await alice()("DELETE", `/threads/${doomed}`)).status).toBe(204);
    expect(await response.json()).toEqual({ __error__: { error: "not_found", message: expect.any(String) as string } });
  });
});
