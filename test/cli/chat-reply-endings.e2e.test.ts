import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningServer } from "../../src/app.js";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database.js";
import { startTestServer } from "../helpers/test-server.js";
import { answerByEnding } from "../models/chat-completions-stream.js";
import { type RecordingServer, startRecordingServer } from "../models/recording-server.js";
import { runCli } from "./cli-process.js";
import { SPAWN_TIMEOUT_MS } from "./cli-test-server.js";

// The terminal says when a reply did not end of its own accord (on stderr: stdout stays the reply's words).
let database: TestDatabase;
let provider: RecordingServer;
let server: RunningServer;

beforeAll(async () => {
  database = await createTestDatabase();
  provider = await startRecordingServer(answerByEnding);
  server = await startTestServer({ databaseUrl: database.url, env: { MODEL: "openai:gpt-test", OPENAI_BASE_URL: `${provider.url}/v1`, OPENAI_API_KEY: "sk-test-000000000000000000" } });
});
afterAll(async () => {
  await server.close();
  await provider[Symbol.asyncDispose]();
  await database.drop();
});

describe("threadline chat and replies that did not end of their own accord", () => {
  it("says a reply was cut off at its length limit or refused, and nothing of a whole one", { timeout: SPAWN_TIMEOUT_MS }, async () => {
    const [cut, refused, whole] = await Promise.all(
      ["a long question", "something forbidden", "a short one"].map((input) => runCli(["--once", "--new", "--url", server.url], { input: `${input}\n` })),
    );
    expect(cut?.stdout).toBe("This answer is cut off mid\n");
    expect(cut?.stderr).toContain("(cut off at the reply's length limit: max_tokens)");
    expect(refused?.stderr).toContain("(the model declined to answer)");
    expect(whole?.stdout).toBe("A whole answer.\n");
    expect(whole?.stderr).toBe("");
    for (const result of [cut, refused, whole]) expect(result?.code).toBe(0);
  });
});
