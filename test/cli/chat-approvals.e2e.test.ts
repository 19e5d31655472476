import { describe, expect, it } from "vitest";
import { TOOLS_WITH_SLOW_APPROVAL } from "../helpers/slow-tool.js";
import { TestWsClient } from "../helpers/ws-client.js";
import { HAS_SCRIPT, runCli, startCli } from "./cli-process.js";
import { SPAWN_TIMEOUT_MS, useCliTestServer } from "./cli-test-server.js";

// The fake model turns `/tool <name> <json>` into a call of that tool; send_email requires approval.
const EMAIL = '/tool send_email {"to":"ada@example.com","subject":"Hello","body":"Meeting at 10?"}';
const APPROVE_PROMPT = "Approve? [y/e/n] ";

const fixture = useCliTestServer({ FAKE_CHUNK_DELAY_MS: 20 }, TOOLS_WITH_SLOW_APPROVAL);

async function windowThread(windowId: string): Promise<string> {
  await using client = await TestWsClient.connect(fixture.server.wsUrl);
  return (await client.call<{ thread_id: string }>("thread.open", { window_id: windowId })).thread_id;
}

async function outbox(threadId: string): Promise<unknown[]> {
  return (await fixture.server.services.pool.query<Record<string, unknown>>("SELECT to_address, subject, body FROM outbox WHERE thread_id = $1 ORDER BY created_at", [threadId])).rows;
}

async function decisions(threadId: string): Promise<unknown[]> {
  return (await fixture.server.services.pool.query<Record<string, unknown>>("SELECT decision, edited_args, reason FROM approvals WHERE thread_id = $1", [threadId])).rows;
}

function count(text: string, part: string): number {
  return text.split(part).length - 1;
}

describe("threadline chat answers `Approve? [y/e/n]` (through pipes)", () => {
  it("y approves: the tool runs and the reply continues", { timeout: SPAWN_TIMEOUT_MS }, async () => {
    await using cli = startCli(["--url", fixture.server.url, "--window", "cli-approve"]);
    cli.writeLine(EMAIL);
    await cli.waitFor("stderr", (text) => text.includes(APPROVE_PROMPT));
    // The call and its arguments are shown before the question (key order is the server's).
    expect(cli.stderr).toMatch(/⚙ send_email \{.*"to":"ada@example.com".*\}\nApprove\? \[y\/e\/n\] $/);
    const threadId = await windowThread("cli-approve");
    expect(await outbox(threadId)).toEqual([]);
    cli.writeLine("y");
    await cli.waitFor("stdout", (text) => text.includes("Tool send_email returned:"));
    await cli.waitFor("stderr", (text) => text.includes("⚙ send_email"));
    expect(await outbox(threadId)).toEqual([{ to_address: "ada@example.com", subject: "Hello", body: "Meeting at 10?" }]);
    expect(await decisions(threadId)).toEqual([{ decision: "approve", edited_args: null, reason: null }]);
    cli.child.stdin.end();
    expect(await cli.exited).toBe(0);
    // Prompts went to stderr: stdout holds only the reply.
    expect(cli.stdout).not.toContain("Approve?");
  });

  it("a question answered in another window meanwhile is not asked again: y says so, the chat carries on and exits 0", { timeout: SPAWN_TIMEOUT_MS }, async () => {
    await using cli = startCli(["--url", fixture.server.url, "--window", "cli-answered-elsewhere"]);
    cli.writeLine(EMAIL);
    await cli.waitFor("stderr", (text) => text.includes(APPROVE_PROMPT));
    const threadId = await windowThread("cli-answered-elsewhere");
    await using other = await TestWsClient.connect(fixture.server.wsUrl);
    const state = await other.call<{ interrupts: { id: string }[] }>("state.get", { thread_id: threadId });
    await other.call("input.respond", { thread_id: threadId, interrupt_id: state.interrupts[0]?.id, value: { decision: "reject", reason: "not from here" } });
    await cli.waitFor("stdout", (text) => text.includes("rejected this call of send_email: not from here"));
    cli.writeLine("y");
    await cli.waitFor("stderr", (text) => text.includes("answered elsewhere"));
    cli.writeLine("and afterwards?");
    await cli.waitFor("stdout", (text) => text.includes("You said: and afterwards?"));
    cli.child.stdin.end();
    expect(await cli.exited).toBe(0);
    expect(count(cli.stderr, APPROVE_PROMPT)).toBe(1);
    expect(cli.stderr).not.toContain("✗");
    expect(await decisions(threadId)).toEqual([{ decision: "reject", edited_args: null, reason: "not from here" }]);
    expect(await outbox(threadId)).toEqual([]);
  });

  it("Ctrl-C while the approved tool runs stops it, and the question is asked again (n rejects it)", { timeout: SPAWN_TIMEOUT_MS }, async () => {
    await using cli = startCli(["--url", fixture.server.url, "--window", "cli-approve-stop"]);
    cli.writeLine('/tool slow_approved_task {"ms":8000}');
    await cli.waitFor("stderr", (text) => text.includes(APPROVE_PROMPT));
    cli.writeLine("y");
    const threadId = await windowThread("cli-approve-stop");
    await expect.poll(async () => (await fixture.server.services.pool.query("SELECT 1 FROM thread_events WHERE thread_id = $1 AND event = 'tool.started'", [threadId])).rowCount, { timeout: 15_000 }).toBe(1);
    cli.child.kill("SIGINT");
    await cli.waitFor("stderr", (text) => text.includes("its approval is open again") && count(text, APPROVE_PROMPT) === 2);
    cli.writeLine("n");
    await cli.waitFor("stderr", (text) => text.includes("Reason (optional): "));
    cli.writeLine("too slow");
    await cli.waitFor("stdout", (text) => text.includes("rejected this call of slow_approved_task: too slow"));
    // Said as rejected, not as a failure of the tool.
    expect(cli.stderr).toMatch(/⚙ slow_approved_task .* → rejected: Error: the user rejected this call of slow_approved_task: too slow/);
    expect(cli.stderr).not.toContain("→ failed: Error: the user rejected");
    expect(await decisions(threadId)).toMatchObject([{ decision: "approve" }, { decision: "reject", reason: "too slow" }]);
    // The history says so too.
    cli.writeLine("/history 3");
    await cli.waitFor("stdout", (text) => text.includes("⚙ slow_approved_task → rejected: Error: the user rejected this call"));
    cli.child.stdin.end();
    expect(await cli.exited).toBe(0);
  });

  it("two calls needing approval in one reply are asked one after the other; each answer counts", { timeout: SPAWN_TIMEOUT_MS }, async () => {
    const email = (to: string) => ({ name: "send_email", args: { to, subject: "Hello", body: "Meeting at 10?" } });
    await using cli = startCli(["--url", fixture.server.url, "--window", "cli-two-approvals"]);
    cli.writeLine(`/tools ${JSON.stringify([email("ada@example.com"), email("grace@example.com")])}`);
    await cli.waitFor("stderr", (text) => text.includes(APPROVE_PROMPT));
    expect(cli.stderr).toMatch(/⚙ send_email \{.*"to":"ada@example.com".*\}\nApprove\? \[y\/e\/n\] $/);
    const threadId = await windowThread("cli-two-approvals");
    cli.writeLine("y");
    // The run resumes and stops again at the second call: the terminal asks about it next.
    await cli.waitFor("stderr", (text) => count(text, APPROVE_PROMPT) === 2);
    expect(cli.stderr).toMatch(/⚙ send_email \{.*"to":"grace@example.com".*\}\nApprove\? \[y\/e\/n\] $/);
    // Nothing was sent before every question was answered (all questions come before any tool runs).
    expect(await outbox(threadId)).toEqual([]);
    cli.writeLine("n");
    await cli.waitFor("stderr", (text) => text.includes("Reason (optional): "));
    cli.writeLine("");
    await cli.waitFor("stdout", (text) => text.includes("Tool send_email returned:"));
    expect(await outbox(threadId)).toEqual([{ to_address: "ada@example.com", subject: "Hello", body: "Meeting at 10?" }]);
    expect(await decisions(threadId)).toEqual(expect.arrayContaining([
      { decision: "approve", edited_args: null, reason: null },
      { decision: "reject", edited_args: null, reason: null },
    ]));
    cli.child.stdin.end();
    expect(await cli.exited).toBe(0);
  });

  it("n rejects with the reason it asks for; the tool never runs", { timeout: SPAWN_TIMEOUT_MS }, async () => {
    await using cli = startCli(["--url", fixture.server.url, "--window", "cli-reject"]);
    cli.writeLine(EMAIL);
    await cli.waitFor("stderr", (text) => text.includes(APPROVE_PROMPT));
    cli.writeLine("n");
    await cli.waitFor("stderr", (text) => text.includes("Reason (optional): "));
    cli.writeLine("wrong recipient");
    await cli.waitFor("stdout", (text) => text.includes("rejected this call of send_email: wrong recipient"));
    const threadId = await windowThread("cli-reject");
    expect(await outbox(threadId)).toEqual([]);
    expect(await decisions(threadId)).toEqual([{ decision: "reject", edited_args: null, reason: "wrong recipient" }]);
    cli.child.stdin.end();
    expect(await cli.exited).toBe(0);
  });

  it("e edits the arguments; invalid JSON and arguments the tool refuses ask for the arguments again, an empty line goes back", { timeout: SPAWN_TIMEOUT_MS }, async () => {
    await using cli = startCli(["--url", fixture.server.url, "--window", "cli-edit"]);
    const ARGS_PROMPT = "Arguments as JSON (now {";
    cli.writeLine(EMAIL);
    await cli.waitFor("stderr", (text) => text.includes(APPROVE_PROMPT));
    cli.writeLine("maybe");
    await cli.waitFor("stderr", (text) => text.includes("answer y (approve), e (edit the arguments) or n (reject)") && count(text, APPROVE_PROMPT) === 2);
    cli.writeLine("e");
    await cli.waitFor("stderr", (text) => text.includes(ARGS_PROMPT));
    cli.writeLine("{ not json");
    await cli.waitFor("stderr", (text) => count(text, ARGS_PROMPT) === 2);
    // An empty line goes back to the question.
    cli.writeLine("");
    await cli.waitFor("stderr", (text) => count(text, APPROVE_PROMPT) === 3);
    cli.writeLine("e");
    cli.writeLine(JSON.stringify({ to: "not an email", subject: "Hello", body: "x" }));
    // Refused by the tool: the next line is read as arguments again (a correction piped in right after it too).
    await cli.waitFor("stderr", (text) => text.includes("not valid for send_email") && count(text, ARGS_PROMPT) === 4);
    expect(count(cli.stderr, APPROVE_PROMPT)).toBe(3);
    cli.writeLine(JSON.stringify({ to: "grace@example.com", subject: "Hello", body: "Meeting at 11." }));
    await cli.waitFor("stdout", (text) => text.includes('"to":"grace@example.com"'));
    const threadId = await windowThread("cli-edit");
    expect(await outbox(threadId)).toEqual([{ to_address: "grace@example.com", subject: "Hello", body: "Meeting at 11." }]);
    expect(await decisions(threadId)).toMatchObject([{ decision: "edit", edited_args: { to: "grace@example.com", subject: "Hello", body: "Meeting at 11." } }]);
    cli.child.stdin.end();
    expect(await cli.exited).toBe(0);
  });

  it("says a session's reply is paused at a breakpoint, and /continue runs it", { timeout: SPAWN_TIMEOUT_MS }, async () => {
    const threadId = await windowThread("cli-breakpoint");
    const paused = await fetch(`${fixture.server.url}/threads/${threadId}/runs/wait`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ input: { messages: [{ role: "user", content: '/tool calculator {"expression":"6*7"}' }] }, interrupt_before: ["tools"] }),
    });
    expect(paused.status).toBe(200);
    // The status comes at once, the body when the run has paused.
    await paused.text();
    const continued = await runCli(["--url", fixture.server.url, "--window", "cli-breakpoint"], { input: "/continue\n" });
    expect(continued.stderr).toContain("paused at a breakpoint, before tools: /continue runs it");
    expect(continued.stderr).toMatch(/⚙ calculator .* → 42/);
    expect(continued.stdout).toContain("Tool calculator returned: 42");
    expect(continued.code).toBe(0);
    // Nothing left to continue: the server says why, and the chat goes on.
    const again = await runCli(["--url", fixture.server.url, "--window", "cli-breakpoint"], { input: "/continue\nhello\n" });
    expect(again.stderr).toContain("only continues a reply paused at a breakpoint");
    expect(again.stdout).toContain("You said: hello");
  });

  it("/switch to a session left waiting says what waits (through pipes), as --session does", { timeout: SPAWN_TIMEOUT_MS }, async () => {
    expect((await runCli(["--url", fixture.server.url, "--window", "switch-waiting"], { input: `${EMAIL}\n` })).code).toBe(4);
    const threadId = await windowThread("switch-waiting");
    const switched = await runCli(["--url", fixture.server.url, "--window", "switch-from"], { input: `/switch ${threadId}\n` });
    expect(switched.stderr).toContain(`switched to`);
    expect(switched.stderr).toContain("send_email waits for your approval");
    expect(await outbox(threadId)).toEqual([]);
  });

  it("a call asked about in an earlier connection shows its arguments when it ends here (cancelled by a message)", { timeout: SPAWN_TIMEOUT_MS }, async () => {
    expect((await runCli(["--url", fixture.server.url, "--window", "args-waiting"], { input: `${EMAIL}\n` })).code).toBe(4);
    const threadId = await windowThread("args-waiting");
    const later = await runCli(["--url", fixture.server.url, "--session", threadId], { input: "never mind\n" });
    expect(later.stderr).toMatch(/⚙ send_email \{.*"to":"ada@example.com".*\} → failed: /);
    expect(later.stdout).toContain("You said: never mind");
  });

  it("answers lines that were all piped in at once, and exits 4 when the input ends before an answer", { timeout: SPAWN_TIMEOUT_MS }, async () => {
    const answered = await runCli(["--url", fixture.server.url, "--window", "cli-batch"], { input: `${EMAIL}\ny\nthanks\n` });
    expect(answered.stdout).toMatch(/Tool send_email returned: .*\nYou said: thanks\n$/);
    expect(answered.code).toBe(0);
    expect(await outbox(await windowThread("cli-batch"))).toHaveLength(1);

    const unanswered = await runCli(["--url", fixture.server.url, "--window", "cli-no-answer"], { input: `${EMAIL}\n` });
    expect(unanswered.stderr).toContain("the reply still waits for an approval");
    expect(unanswered.code).toBe(4);
    expect(await outbox(await windowThread("cli-no-answer"))).toEqual([]);
  });
});

describe.skipIf(!HAS_SCRIPT)("threadline chat answers `Approve? [y/e/n]` (in a pseudo-terminal)", () => {
  it("a session left waiting is asked first when a terminal chat opens it; through pipes it is only said", { timeout: SPAWN_TIMEOUT_MS }, async () => {
    const unanswered = await runCli(["--url", fixture.server.url, "--window", "pty-waiting"], { input: `${EMAIL}\n` });
    expect(unanswered.code).toBe(4);
    const threadId = await windowThread("pty-waiting");

    // Through pipes the next line stays a message: the chat says what waits, and does not take the line as an answer.
    const piped = await runCli(["--url", fixture.server.url, "--window", "pipe-waiting"], { input: `${EMAIL}\n` });
    expect(piped.code).toBe(4);
    const told = await runCli(["--url", fixture.server.url, "--window", "pipe-waiting"], { input: "never mind\n" });
    expect(told.stderr).toContain("send_email waits for your approval");
    expect(told.stdout).toContain("You said: never mind");
    expect(await outbox(await windowThread("pipe-waiting"))).toEqual([]);

    await using cli = startCli(["--url", fixture.server.url, "--window", "pty-waiting"], {}, { terminal: true });
    await cli.waitFor("stdout", (text) => text.includes(APPROVE_PROMPT));
    expect(cli.stdout).toContain("this session's reply waits for your approval");
    expect(cli.stdout).toMatch(/⚙ send_email \{.*"to":"ada@example.com"/);
    cli.writeLine("y");
    await cli.waitFor("stdout", (text) => text.includes("Tool send_email returned:"));
    await cli.waitFor("stdout", (text) => /Tool send_email returned:[^\n]*\r?\n(?:\r)?you › $/.test(text));
    expect(await outbox(threadId)).toEqual([{ to_address: "ada@example.com", subject: "Hello", body: "Meeting at 10?" }]);
    cli.writeLine("/quit");
    expect(await cli.exited).toBe(0);
  });

  it("/switch to a session left waiting asks its question before the next message", { timeout: SPAWN_TIMEOUT_MS }, async () => {
    expect((await runCli(["--url", fixture.server.url, "--window", "pty-switch-waiting"], { input: `${EMAIL}\n` })).code).toBe(4);
    const threadId = await windowThread("pty-switch-waiting");
    await using cli = startCli(["--url", fixture.server.url, "--window", "pty-switch-from"], {}, { terminal: true });
    await cli.waitFor("stdout", (text) => text.includes("you › "));
    cli.writeLine(`/switch ${threadId}`);
    await cli.waitFor("stdout", (text) => text.includes(APPROVE_PROMPT));
    expect(cli.stdout).toContain("this session's reply waits for your approval");
    cli.writeLine("y");
    await cli.waitFor("stdout", (text) => text.includes("Tool send_email returned:"));
    expect(await outbox(threadId)).toEqual([{ to_address: "ada@example.com", subject: "Hello", body: "Meeting at 10?" }]);
    cli.writeLine("/quit");
    expect(await cli.exited).toBe(0);
  });

  it("shows the question as the prompt, and y approves", { timeout: SPAWN_TIMEOUT_MS }, async () => {
    await using cli = startCli(["--url", fixture.server.url, "--window", "pty-approve"], {}, { terminal: true });
    await cli.waitFor("stdout", (text) => text.includes("you › "));
    cli.writeLine(EMAIL);
    await cli.waitFor("stdout", (text) => text.includes(APPROVE_PROMPT));
    cli.writeLine("y");
    await cli.waitFor("stdout", (text) => text.includes("Tool send_email returned:"));
    // Back at the message prompt after the reply.
    await cli.waitFor("stdout", (text) => /Tool send_email returned:[^\n]*\r?\n(?:\r)?you › $/.test(text));
    expect(await outbox(await windowThread("pty-approve"))).toEqual([{ to_address: "ada@example.com", subject: "Hello", body: "Meeting at 10?" }]);
    cli.writeLine("/quit");
    expect(await cli.exited).toBe(0);
  });
});
