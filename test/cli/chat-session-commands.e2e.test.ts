import { describe, expect, it } from "vitest";
import { CheckpointRetention } from "../../src/checkpoint/checkpoint-retention.js";
import { chat, TestWsClient } from "../helpers/ws-client.js";
import { startCli } from "./cli-process.js";
import { SPAWN_TIMEOUT_MS, useCliTestServer } from "./cli-test-server.js";

const fixture = useCliTestServer();

describe("threadline chat: /retry", () => {
  it("generates the newest reply again as a new branch; says so when there is nothing to generate again", { timeout: SPAWN_TIMEOUT_MS }, async () => {
    await using cli = startCli(["--url", fixture.server.url, "--window", "retry-window"]);
    cli.writeLine("/retry");
    await cli.waitFor("stderr", (text) => text.includes("there is no reply to generate again in this session"));
    cli.writeLine("first words");
    await cli.waitFor("stdout", (text) => text.includes("You said: first words\n"));
    cli.writeLine("second words");
    await cli.waitFor("stdout", (text) => text.includes("You said: second words\n"));
    cli.writeLine("/retry");
    await cli.waitFor("stdout", (text) => text.split("You said: second words\n").length === 3);
    cli.writeLine("/quit");
    expect(await cli.exited).toBe(0);

    await using client = await TestWsClient.connect(fixture.server.wsUrl);
    const { thread_id } = await client.call<{ thread_id: string }>("thread.open", { window_id: "retry-window" });
    // The state holds the branch: the first turn and the second, answered once.
    const state = await client.call<{ values: { messages: { content: string }[] } }>("state.get", { thread_id });
    expect(state.values.messages.map((message) => message.content)).toEqual(["first words", "You said: first words", "second words", "You said: second words"]);
  });
});

describe("threadline chat: /retry after a retention sweep", () => {
  it("does not replay an older message when the newest reply's own checkpoint was pruned (it dropped the turns after it)", { timeout: SPAWN_TIMEOUT_MS }, async () => {
    await using cli = startCli(["--url", fixture.server.url, "--window", "retry-pruned"]);
    for (const words of ["alpha words", "beta words"]) {
      cli.writeLine(words);
      await cli.waitFor("stdout", (text) => text.includes(`You said: ${words}\n`));
    }
    // Generated again: the replay's branch keeps a checkpoint holding "beta words" that the sweep keeps.
    cli.writeLine("/retry");
    await cli.waitFor("stdout", (text) => text.split("You said: beta words\n").length === 3);
    cli.writeLine("gamma words");
    await cli.waitFor("stdout", (text) => text.includes("You said: gamma words\n"));
    await using client = await TestWsClient.connect(fixture.server.wsUrl);
    const { thread_id } = await client.call<{ thread_id: string }>("thread.open", { window_id: "retry-pruned" });
    // Checkpoints are written behind the reply (durability async): the sweep must find gamma's before it is pruned.
    const holdsGamma = async () =>
      (await client.call<{ checkpoints: { last_message: { text: string } | null }[] }>("state.listCheckpoints", { thread_id, limit: 50 })).checkpoints.some((entry) => entry.last_message?.text === "gamma words");
    await expect.poll(holdsGamma, { timeout: 10_000 }).toBe(true);
    await new CheckpointRetention(fixture.server.services.pool).pruneThread(thread_id, { cutoff: new Date(Date.now() + 60_000) });
    expect(await holdsGamma()).toBe(false);
    cli.writeLine("/retry");
    await cli.waitFor("stderr", (text) => text.includes("there is no reply to generate again in this session"));
    cli.writeLine("/quit");
    expect(await cli.exited).toBe(0);
    const state = await client.call<{ values: { messages: { content: string }[] } }>("state.get", { thread_id });
    expect(state.values.messages.map((message) => message.content).at(-2)).toBe("gamma words");
  });
});

describe("threadline chat: /search, /rename, /delete, /checkpoints", () => {
  it("/search finds messages of other sessions, in English and in Chinese, and /switch continues there", { timeout: SPAWN_TIMEOUT_MS }, async () => {
    await using client = await TestWsClient.connect(fixture.server.wsUrl);
    const trip = await client.call<{ thread_id: string }>("thread.open", { title: "Trip to Chengdu" });
    await chat(client, trip.thread_id, "the heron flies over the 成都大熊猫基地 tomorrow");
    await using cli = startCli(["--url", fixture.server.url, "--window", "search-window"]);
    cli.writeLine("/search heron");
    await cli.waitFor("stdout", (text) => text.includes(`${trip.thread_id.slice(0, 8)}  Trip to Chengdu`) && text.includes("the heron flies"));
    cli.writeLine("/search 大熊猫");
    await cli.waitFor("stdout", (text) => text.split("Trip to Chengdu").length >= 3);
    cli.writeLine("/search zebracorn");
    await cli.waitFor("stdout", (text) => text.includes('nothing matches "zebracorn"'));
    cli.writeLine("/search");
    await cli.waitFor("stderr", (text) => text.includes("usage: /search <words>"));
    cli.writeLine(`/switch ${trip.thread_id.slice(0, 8)}`);
    await cli.waitFor("stderr", (text) => text.includes(`switched to Trip to Chengdu (${trip.thread_id})`));
    cli.writeLine("/quit");
    expect(await cli.exited).toBe(0);
  });

  it("/rename retitles the current session for every window", { timeout: SPAWN_TIMEOUT_MS }, async () => {
    await using cli = startCli(["--url", fixture.server.url, "--window", "rename-window"]);
    cli.writeLine("/rename   Quarterly budget  ");
    await cli.waitFor("stderr", (text) => text.includes("renamed to Quarterly budget"));
    cli.writeLine("/rename");
    await cli.waitFor("stderr", (text) => text.includes("usage: /rename <title>"));
    cli.writeLine("/quit");
    expect(await cli.exited).toBe(0);
    await using client = await TestWsClient.connect(fixture.server.wsUrl);
    const session = await client.call<{ title: string | null }>("thread.open", { window_id: "rename-window" });
    expect(session.title).toBe("Quarterly budget");
  });

  it("/delete must name its session; another one goes quietly, the current one moves to a fresh session", { timeout: SPAWN_TIMEOUT_MS }, async () => {
    await using client = await TestWsClient.connect(fixture.server.wsUrl);
    const other = await client.call<{ thread_id: string }>("thread.open", { title: "Old grocery list" });
    await using cli = startCli(["--url", fixture.server.url, "--window", "delete-window"]);
    cli.writeLine("remember the milk");
    await cli.waitFor("stdout", (text) => text.includes("You said: remember the milk\n"));
    const current = await client.call<{ thread_id: string }>("thread.open", { window_id: "delete-window" });

    cli.writeLine("/delete");
    await cli.waitFor("stderr", (text) => text.includes("usage: /delete <id|title>"));
    cli.writeLine("/delete no-such-session");
    await cli.waitFor("stderr", (text) => text.includes('no session matches "no-such-session"'));
    // A fragment of a title or a short id prefix deletes nothing: it lists what it matches.
    cli.writeLine("/delete grocery");
    await cli.waitFor("stderr", (text) => text.includes('"grocery" matches 1 session; name it by its whole title') && text.includes(`${other.thread_id.slice(0, 8)}  Old grocery list`));
    cli.writeLine(`/delete ${other.thread_id.slice(0, 4)}`);
    await cli.waitFor("stderr", (text) => text.includes(`"${other.thread_id.slice(0, 4)}" matches 1 session; name it`));
    expect((await client.call<{ thread_id: string }>("thread.get", { thread_id: other.thread_id })).thread_id).toBe(other.thread_id);
    cli.writeLine("/delete old grocery list");
    await cli.waitFor("stderr", (text) => text.includes(`deleted Old grocery list (${other.thread_id})`));
    expect((await client.callError("thread.get", { thread_id: other.thread_id })).code).toBe("not_found");

    cli.writeLine(`/delete ${current.thread_id.slice(0, 8)}`);
    await cli.waitFor("stderr", (text) => text.includes(`(${current.thread_id})`) && text.includes("continuing in session"));
    expect((await client.callError("thread.get", { thread_id: current.thread_id })).code).toBe("not_found");
    // Its own deletion is not news from another window.
    expect(cli.stderr).not.toContain("was deleted in another window");
    cli.writeLine("still here");
    await cli.waitFor("stdout", (text) => text.includes("You said: still here\n"));
    const now = await client.call<{ thread_id: string }>("thread.open", { window_id: "delete-window" });
    expect(now.thread_id).not.toBe(current.thread_id);
    cli.child.stdin.end();
    expect(await cli.exited).toBe(0);
  });

  it("/checkpoints lists the ids /fork takes", { timeout: SPAWN_TIMEOUT_MS }, async () => {
    await using cli = startCli(["--url", fixture.server.url, "--window", "checkpoints-window"]);
    cli.writeLine("the only turn");
    await cli.waitFor("stdout", (text) => text.includes("You said: the only turn\n"));
    cli.writeLine("/checkpoints 3");
    await cli.waitFor("stderr", (text) => text.includes("/fork <checkpoint> branches a new session there"));
    const rows = cli.stdout.split("\n").filter((line) => /^[0-9a-f-]{36} {2}/.test(line));
    expect(rows).toHaveLength(3);
    expect(rows[0]).toContain("assistant: You said: the only turn");
    cli.writeLine("/checkpoints 0");
    await cli.waitFor("stderr", (text) => text.includes("usage: /checkpoints [n]"));
    cli.writeLine(`/fork ${rows[0]?.slice(0, 36) ?? ""}`);
    await cli.waitFor("stderr", (text) => text.includes("forked into "));
    cli.writeLine("/quit");
    expect(await cli.exited).toBe(0);
  });
});
