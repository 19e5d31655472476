import { afterAll, beforeAll, expect, it } from "vitest";
import { type ChildServer, startChildServer } from "../helpers/child-server.js";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database.js";
import { writeChatCompletionStream } from "../models/chat-completions-stream.js";
import { type RecordingServer, startRecordingServer } from "../models/recording-server.js";

let database: TestDatabase;
let sink: RecordingServer;
let server: ChildServer | undefined;

beforeAll(async () => {
  database = await createTestDatabase();
  // Stands for both LangSmith (where tracing would upload runs) and an OpenAI-compatible server.
  sink = await startRecordingServer((request, response) => {
    if (request.path.includes("/chat/completions")) void writeChatCompletionStream(response, { model: "any", text: ["noted"] });
    else response.writeHead(200, { "Content-Type": "application/json" }).end("{}");
  });
});
afterAll(async () => {
  await server?.kill();
  await sink[Symbol.asyncDispose]();
  await database.drop();
});

it("LangSmith/LangChain variables of the shell do not upload conversations, and OpenAI organisation variables add no headers", async () => {
  server = await startChildServer({
    DATABASE_URL: database.url,
    MODEL: "openai:any",
    OPENAI_BASE_URL: `${sink.url}/v1`,
    OPENAI_API_KEY: "sk-test-ambient",
    LANGSMITH_TRACING: "true",
    LANGCHAIN_TRACING_V2: "true",
    LANGSMITH_ENDPOINT: sink.url,
    LANGSMITH_API_KEY: "lsv2-test-key",
    OPENAI_ORGANIZATION: "org-from-the-shell",
  });
  const thread = (await (await fetch(`${server.url}/threads`, { method: "POST", headers: { "Content-Type": "application/json" }, body: "{}" })).json()) as { thread_id: string };
  const answer = await fetch(`${server.url}/threads/${thread.thread_id}/runs/wait`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ input: { messages: [{ role: "user", content: "我的身份证号是110101199001011234" }] } }),
  });
  expect(answer.status).toBe(200);
  await answer.text();
  // Tracing uploads in the background: give it the time it would take.
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  const model = sink.requests.filter((request) => request.path.includes("/chat/completions"));
  expect(model).toHaveLength(1);
  expect(model[0]?.headers["openai-organization"]).toBeUndefined();
  expect(sink.requests.filter((request) => !request.path.includes("/chat/completions")).map((request) => request.path)).toEqual([]);
});
