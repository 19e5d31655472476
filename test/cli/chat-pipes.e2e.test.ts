import { describe, expect, it } from "vitest";
import { TestWsClient } from "../helpers/ws-client.js";
import { runCli, startCli } from "./cli-process.js";
import { SPAWN_TIMEOUT_MS, useCliTestServer } from "./cli-test-server.js";
import { postStateEdit } from "../helpers/state-edit.js";

const CHUNK_DELAY_MS = 150;

const fixture = useCliTestServer({ FAKE_CHUNK_DELAY_MS: CHUNK_DELAY_MS });

describe("threadline chat (line by line through pipes)", () => {
  it("streams replies, and Ctrl-C cancels a running reply without leaving", { timeout: SPAWN_TIMEOUT_MS }, async () => {
    await using cli = startCli(["--url", fixture.server.url, "--window", "pipe-cancel"]);
    cli.writeLine("please stop me before the end of this long sentence");
    await cli.waitFor("stdout", (text) => text.includes("You said"));
    cli.child.kill("SIGINT");
    await cli.waitFor("stderr", (text) => text.includes("(reply stopped)"));
    expect(cli.stdout).not.toContain("end of this long sentence");
    expect(cli.stderr).toContain("Ctrl-C again to quit");

    cli.writeLine("still here");
    await cli.waitFor("stdout", (text) => text.includes("You said: still here\n"));
    cli.child.stdin.end();
    expect(await cli.exited).toBe(0);
  });

  it("a second Ctrl-C during a reply exits with 130", { timeout: SPAWN_TIMEOUT_MS }, async () => {
    await using cli = startCli(["--url", fixture.server.url, "--window", "pipe-double-cancel"]);
    cli.writeLine("interrupt me twice, quickly, please");
    await cli.waitFor("stdout", (text) => text.includes("You said"));
    cli.child.kill("SIGINT");
    // Two signals sent back to back can merge into one delivery; a person's two presses never do.
    await new Promise((resolve) => setTimeout(resolve, 100));
    cli.child.kill("SIGINT");
    expect(await cli.exited).toBe(130);
  });

  it("a session deleted in another window mid-reply: says so, ends the reply, and continues in the window's session", { timeout: SPAWN_TIMEOUT_MS }, async () => {
    await using cli = startCli(["--url", fixture.server.url, "--window", "pipe-deleted"]);
    cli.writeLine("a long enough reply to be deleted in the middle of it");
    await cli.waitFor("stdout", (text) => text.includes("You said"));
    await using client = await TestWsClient.connect(fixture.server.wsUrl);
    const doomed = await client.call<{ thread_id: string }>("thread.open", { window_id: "pipe-deleted" });
    await client.call("thread.delete", { thread_id: doomed.thread_id });
    await cli.waitFor("stderr", (text) => text.includes(`this session (${doomed.thread_id}) was deleted in another window`));
    // The reply ends either way: its run's cancellation reaches the client first ("(reply stopped)") when that event
    // was stored before the delete committed, else the notice ends it as failed.
    const stopped = () => cli.stderr.includes("(reply stopped)");
    await cli.waitFor("stderr", (text) => text.includes("(reply stopped)") || text.includes("the reply failed: the session was deleted in another window (thread_deleted)"));
    await cli.waitFor("stderr", (text) => text.includes("continuing in session"));
    cli.writeLine("still here");
    await cli.waitFor("stdout", (text) => text.includes("You said: still here\n"));
    const now = await client.call<{ thread_id: string }>("thread.open", { window_id: "pipe-deleted" });
    expect(now.thread_id).not.toBe(doomed.thread_id);
    expect(cli.stderr).toContain(now.thread_id);
    cli.child.stdin.end();
    // A reply that failed on the way (it was deleted) makes the exit code 1, as any failed reply; a stopped one does not.
    expect(await cli.exited).toBe(stopped() ? 0 : 1);
  });

  it("prints a reply a state edit replaced, marked [edited]", { timeout: SPAWN_TIMEOUT_MS }, async () => {
    await using client = await TestWsClient.connect(fixture.server.wsUrl);
    const target = await client.call<{ thread_id: string }>("thread.open", { title: "Project Osprey" });
    await using cli = startCli(["--url", fixture.server.url, "--window", "pipe-edited"]);
    cli.writeLine("/switch osprey");
    await cli.waitFor("stderr", (text) => text.includes("switched to Project Osprey"));
    cli.writeLine("my pin is 1234");
    await cli.waitFor("stdout", (text) => text.includes("You said: my pin is 1234\n"));
    const history = await client.call<{ messages: { id: string; role: string }[] }>("messages.list", { thread_id: target.thread_id });
    const reply = history.messages.find((message) => message.role === "assistant");
    const edit = () =>
      postStateEdit(fixture.server.url, target.thread_id, [{ role: "assistant", content: "You said: my pin is [redacted]", id: reply?.id }]).then((response) => response.status);
    // The reply is printed before its run's bookkeeping ends; an edit meanwhile is refused as busy (409).
    await expect.poll(edit, { timeout: 10_000 }).toBe(200);
    await cli.waitFor("stderr", (text) => text.includes("[edited] assistant › You said: my pin is [redacted]"));
    cli.child.stdin.end();
    expect(await cli.exited).toBe(0);
  });

  it("/sessions lists, /switch moves to another session by title, /history shows it, /new starts one", { timeout: SPAWN_TIMEOUT_MS }, async () => {
    await using client = await TestWsClient.connect(fixture.server.wsUrl);
    const target = await client.call<{ thread_id: string }>("thread.open", { title: "Project Kestrel notes" });
    // A web tab's session, opened and left: nothing to list.
    const blank = await client.call<{ thread_id: string }>("thread.open", { window_id: "web-left-open" });
    await using cli = startCli(["--url", fixture.server.url, "--window", "pipe-switch"]);
    cli.writeLine("/sessions");
    await cli.waitFor("stdout", (text) => text.includes("Project Kestrel notes") && /blank sessions? not shown/.test(text));
    expect(cli.stdout).not.toContain(blank.thread_id.slice(0, 8));
    // The terminal's own session is blank too, and listed: it is the current one.
    expect(cli.stdout).toMatch(/^\* /m);
    cli.writeLine("/switch kestrel");
    await cli.waitFor("stderr", (text) => text.includes(`switched to Project Kestrel notes (${target.thread_id})`));
    cli.writeLine("hello kestrel");
    await cli.waitFor("stdout", (text) => text.includes("You said: hello kestrel\n"));
    const history = await client.call<{ messages: { content: string }[] }>("messages.list", { thread_id: target.thread_id });
    expect(history.messages.at(-1)?.content).toBe("You said: hello kestrel");

    cli.writeLine("/history 2");
    await cli.waitFor("stdout", (text) => text.includes("you › hello kestrel\nassistant › You said: hello kestrel\n"));
    cli.writeLine("/history -5");
    await cli.waitFor("stderr", (text) => text.includes("usage: /history [n] — n messages from 1 to 200"));
    cli.writeLine(`/switch ${target.thread_id.slice(0, 8)}`);
    await cli.waitFor("stderr", (text) => text.split("switched to Project Kestrel").length === 3);
    cli.writeLine("/switch no-such-session");
    await cli.waitFor("stderr", (text) => text.includes('no session matches "no-such-session"'));
    cli.writeLine("/fork some-checkpoint");
    // Until checkpoints land the server lacks state.fork; after, this checkpoint does not exist. Either way: a message, no exit.
    await cli.waitFor("stderr", (text) => /\/fork is not supported by this server|some-checkpoint not found/.test(text));
    cli.writeLine("/new");
    await cli.waitFor("stderr", (text) => text.includes("new session "));
    cli.writeLine("/help");
    await cli.waitFor("stderr", (text) => text.includes("/switch <id|title>"));
    cli.writeLine("/quit");
    expect(await cli.exited).toBe(0);
  });

  it("/fork <checkpoint> branches a new session at that checkpoint and goes on there", { timeout: SPAWN_TIMEOUT_MS }, async () => {
    await using cli = startCli(["--url", fixture.server.url, "--window", "pipe-fork"]);
    cli.writeLine("the first turn");
    await cli.waitFor("stdout", (text) => text.includes("You said: the first turn\n"));
    cli.writeLine("the second turn");
    await cli.waitFor("stdout", (text) => text.includes("You said: the second turn\n"));

    await using client = await TestWsClient.connect(fixture.server.wsUrl);
    const { thread_id: threadId } = await client.call<{ thread_id: string }>("thread.open", { window_id: "pipe-fork" });
    const { checkpoints } = await client.call<{ checkpoints: { checkpoint_id: string; next: string[]; last_message: { text: string } | null }[] }>("state.listCheckpoints", { thread_id: threadId, limit: 50 });
    const afterFirstTurn = checkpoints.find((checkpoint) => checkpoint.next.length === 0 && checkpoint.last_message?.text === "You said: the first turn");
    expect(afterFirstTurn).toBeDefined();

    cli.writeLine(`/fork ${afterFirstTurn?.checkpoint_id ?? ""}`);
    await cli.waitFor("stderr", (text) => text.includes("forked into "));
    const forkedId = /forked into ([0-9a-f-]{36})/.exec(cli.stderr)?.[1];
    expect(forkedId).not.toBe(threadId);
    cli.writeLine("a turn on the branch");
    await cli.waitFor("stdout", (text) => text.includes("You said: a turn on the branch\n"));
    cli.child.stdin.end();
    expect(await cli.exited).toBe(0);

    const branch = await client.call<{ messages: { content: string }[] }>("messages.list", { thread_id: forkedId, limit: 10 });
    expect(branch.messages.map((message) => message.content)).toEqual(["the first turn", "You said: the first turn", "a turn on the branch", "You said: a turn on the branch"]);
    const original = await client.call<{ messages: { content: string }[] }>("messages.list", { thread_id: threadId, limit: 10 });
    expect(original.messages.map((message) => message.content)).toEqual(["the first turn", "You said: the first turn", "the second turn", "You said: the second turn"]);
  });

  it("ends quietly with 0 when stdout's reader quits early (`| head -c 5`), no EPIPE stack", { timeout: SPAWN_TIMEOUT_MS }, async () => {
    await using cli = startCli(["--url", fixture.server.url, "--new", "a reply long enough to be cut off by an early reader"]);
    await cli.waitFor("stdout", (text) => text.length > 0);
    // The reader goes away as `head` does once it has enough: the next write of the reply fails with EPIPE.
    cli.child.stdout.destroy();
    expect(await cli.exited).toBe(0);
    expect(cli.stderr).not.toMatch(/EPIPE|Unhandled| {4}at /);
  });

  it("exits 1 at the end of input when a reply failed", { timeout: SPAWN_TIMEOUT_MS }, async () => {
    const result = await runCli(["--url", fixture.server.url, "--window", "pipe-fail"], { input: "/fail nope\nafter the failure\n" });
    expect(result.stdout).toBe("You said: after the failure\n");
    expect(result.stderr).toContain("nope (model_error)");
    expect(result.code).toBe(1);
  });
});
