import { describe, expect, it } from "vitest";
import { waitFor } from "../jobs/wait-for.js";
import { createTestDatabase } from "../helpers/test-database.js";
import { startTestServer } from "../helpers/test-server.js";
import { TestWsClient } from "../helpers/ws-client.js";
import { runCli } from "./cli-process.js";
import { SPAWN_TIMEOUT_MS, useCliTestServer } from "./cli-test-server.js";

const CHUNK_DELAY_MS = 150;

const fixture = useCliTestServer({ FAKE_CHUNK_DELAY_MS: CHUNK_DELAY_MS });

describe("threadline chat --once", () => {
  it("prints the streamed reply and exits 0, with the URL from a flag or THREADLINE_URL and the message from stdin or arguments", { timeout: SPAWN_TIMEOUT_MS }, async () => {
    const [piped, fromArguments] = await Promise.all([
      runCli(["--once", "--url", fixture.server.url], { input: "hi there 你好\n" }),
      runCli(["--window", "env-window", "from", "arguments"], { env: { THREADLINE_URL: fixture.server.url } }),
    ]);
    expect(piped.stderr).toBe("");
    expect(piped.code).toBe(0);
    expect(piped.stdout).toBe("You said: hi there 你好\n");
    // The reply arrived in pieces, as it streamed.
    expect(piped.stdoutChunks.length).toBeGreaterThanOrEqual(2);
    expect(fromArguments.code).toBe(0);
    expect(fromArguments.stdout).toBe("You said: from arguments\n");
  });

  it("shows tool calls compactly on stderr and the answer on stdout", { timeout: SPAWN_TIMEOUT_MS }, async () => {
    const result = await runCli(["--once", "--url", fixture.server.url, "--new"], { input: '/tool calculator {"expression":"6*7"}' });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe("Tool calculator returned: 42\n");
    expect(result.stderr).toMatch(/⚙ calculator \{"expression":"6\*7"\} → 42 \(\d+ ms\)/);
  });

  it("exits non-zero on errors: a failed reply (1), nothing to send (2), no server (3)", { timeout: SPAWN_TIMEOUT_MS }, async () => {
    const [failed, empty, unreachable] = await Promise.all([
      runCli(["--once", "--url", fixture.server.url], { input: "/fail boom" }),
      runCli(["--once", "--url", fixture.server.url], { input: "   \n" }),
      runCli(["--once", "--url", "http://127.0.0.1:9"], { input: "hi" }),
    ]);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain("boom (model_error)");
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain("nothing to send");
    expect(unreachable.code).toBe(3);
    expect(unreachable.stderr).toContain("cannot connect");
  });

  it("a message past the socket's hard limit (the server closes with 1009) is said to be too large, not a lost connection", { timeout: SPAWN_TIMEOUT_MS }, async () => {
    // Three bytes a character: 2.4 MB, past twice the default 1 MiB frame limit.
    const result = await runCli(["--once", "--url", fixture.server.url, "--new"], { input: "长".repeat(800_000) });
    expect(result.code).toBe(3);
    expect(result.stderr).toContain("the message is too large to send");
    expect(result.stderr).not.toContain("connection to the server lost");
  });

  it("exits 3 when the connection is lost in the middle of a reply (not 0 with nothing printed)", { timeout: SPAWN_TIMEOUT_MS }, async () => {
    const database = await createTestDatabase();
    const server = await startTestServer({ databaseUrl: database.url, env: { FAKE_CHUNK_DELAY_MS: 2_000, SHUTDOWN_GRACE_MS: 0 } });
    try {
      const running = runCli(["--once", "--url", server.url], { input: "a long answer please" });
      // Closed once the reply is under way: the CLI's own start-up takes seconds on a loaded machine.
      await waitFor(() => server.services.active.size === 1, SPAWN_TIMEOUT_MS / 2);
      await new Promise((resolve) => setTimeout(resolve, 500));
      await server.close();
      const result = await running;
      expect(result.code).toBe(3);
      expect(result.stderr).toContain("connection to the server lost");
    } finally {
      await database.drop();
    }
  });

  it("continues a given session with --session and starts a fresh one with --new", { timeout: SPAWN_TIMEOUT_MS }, async () => {
    await using client = await TestWsClient.connect(fixture.server.wsUrl);
    const session = await client.call<{ thread_id: string }>("thread.open", { title: "picked by id" });
    const before = await client.call<{ sessions: unknown[] }>("thread.list", { limit: 100 });
    const [continued, fresh] = await Promise.all([
      runCli(["--once", "--url", fixture.server.url, "--session", session.thread_id], { input: "into the given session" }),
      runCli(["--once", "--url", fixture.server.url, "--new"], { input: "fresh" }),
    ]);
    expect(continued.code).toBe(0);
    expect(fresh.code).toBe(0);
    const history = await client.call<{ messages: { content: string }[] }>("messages.list", { thread_id: session.thread_id });
    expect(history.messages.map((message) => message.content)).toEqual(["into the given session", "You said: into the given session"]);
    const after = await client.call<{ sessions: unknown[] }>("thread.list", { limit: 100 });
    expect(after.sessions.length).toBe(before.sessions.length + 1);

    // A session id the server does not have for this user: said plainly, usage error (2), nothing created.
    const unknown = await runCli(["--once", "--url", fixture.server.url, "--session", "00000000-0000-4000-8000-000000000000"], { input: "hello?" });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("no session 00000000-0000-4000-8000-000000000000 of yours");
    expect((await client.call<{ sessions: unknown[] }>("thread.list", { limit: 100 })).sessions.length).toBe(after.sessions.length);
    // So is an assistant the server does not have.
    const noAssistant = await runCli(["--once", "--url", fixture.server.url, "--new", "--assistant", "nope"], { input: "hello?" });
    expect(noAssistant.code).toBe(2);
    expect(noAssistant.stderr).toContain("no assistant nope");
  });

  it("a fresh session's id is said on leaving, and in the --once approval hint, so it can be continued", { timeout: SPAWN_TIMEOUT_MS }, async () => {
    const waiting = await runCli(["--once", "--url", fixture.server.url, "--new"], { input: '/tool send_email {"to":"a@example.com","subject":"s","body":"b"}' });
    expect(waiting.code).toBe(4);
    const hinted = /answer it in an interactive `threadline chat --session ([0-9a-f-]{36})`/.exec(waiting.stderr)?.[1];
    await using client = await TestWsClient.connect(fixture.server.wsUrl);
    expect((await client.call<{ status: string }>("thread.get", { thread_id: hinted })).status).toBe("interrupted");

    const left = await runCli(["--url", fixture.server.url, "--new"], { input: "a few words\n" });
    expect(left.code).toBe(0);
    const id = /to continue this session: threadline chat --session ([0-9a-f-]{36})\n$/.exec(left.stderr)?.[1];
    const history = await client.call<{ messages: { content: string }[] }>("messages.list", { thread_id: id });
    expect(history.messages.map((message) => message.content)).toEqual(["a few words", "You said: a few words"]);
  });
});
