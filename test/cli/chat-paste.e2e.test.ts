import { describe, expect, it } from "vitest";
import { TestWsClient } from "../helpers/ws-client.js";
import { HAS_SCRIPT, startCli } from "./cli-process.js";
import { SPAWN_TIMEOUT_MS, useCliTestServer } from "./cli-test-server.js";

const fixture = useCliTestServer();

async function userMessages(windowId: string): Promise<string[]> {
  await using client = await TestWsClient.connect(fixture.server.wsUrl);
  const { thread_id } = await client.call<{ thread_id: string }>("thread.open", { window_id: windowId });
  const page = await client.call<{ messages: { role: string; content: string }[] }>("messages.list", { thread_id, limit: 20 });
  return page.messages.filter((message) => message.role === "user").map((message) => message.content);
}

describe.skipIf(!HAS_SCRIPT)("threadline chat in a terminal: a multi-line paste", () => {
  it("is one message (bracketed paste), whether it ends with a line break or Enter follows it", { timeout: SPAWN_TIMEOUT_MS }, async () => {
    await using cli = startCli(["--url", fixture.server.url, "--window", "pty-paste"], {}, { terminal: true });
    await cli.waitFor("stdout", (text) => text.includes("you › "));
    expect(cli.stdout).toContain("\u001b[?2004h");
    // What a terminal sends for a pasted text in bracketed paste mode: the text between \e[200~ and \e[201~.
    cli.child.stdin.write("\u001b[200~first line\rsecond line\u001b[201~");
    cli.writeLine("");
    await cli.waitFor("stdout", (text) => text.includes("second line\r\nyou › "));
    cli.child.stdin.write("\u001b[200~alpha\rbeta\r\u001b[201~");
    await cli.waitFor("stdout", (text) => text.includes("beta\r\nyou › "));
    expect(await userMessages("pty-paste")).toEqual(["first line\nsecond line", "alpha\nbeta"]);
    cli.writeLine("/quit");
    expect(await cli.exited).toBe(0);
    // Handed back to the shell as it was.
    expect(cli.stdout).toContain("\u001b[?2004l");
  });
});
