import { describe, expect, it } from "vitest";
import { TOOLS_WITH_SLOW } from "../helpers/slow-tool.js";
import { useTwoInstances } from "../helpers/two-instances.js";
import type { TestWsClient } from "../helpers/ws-client.js";
import { chat, type Frame } from "../helpers/ws-client.js";
import { requestJson } from "./http-runs-support.js";

// Two instances on one database (a deployment behind a load balancer), two users; alice has sockets on both.
const cluster = useTwoInstances({ RUN_POLL_MS: 200 }, TOOLS_WITH_SLOW);
const { connect } = cluster;

const auth = (key: string) => ({ Authorization: `Bearer ${key}` });
/** Long enough for a notice that should not come to have come (a NOTIFY crosses instances in milliseconds). */
const settle = () => new Promise((resolve) => setTimeout(resolve, 500));
/** The session notices' kinds (a reply's `thread.status` notices are checked on their own, below). */
const kinds = (socket: TestWsClient, threadId: string) => socket.notices(threadId).filter((frame) => frame.notice !== "thread.status").map((frame) => frame.notice);
const statuses = (socket: TestWsClient, threadId: string) => socket.notices(threadId).filter((frame) => frame.notice === "thread.status").map((frame) => frame.status);
/** The same, each with whether it says a human is awaited. */
const awaiting = (socket: TestWsClient, threadId: string) =>
  socket.notices(threadId).filter((frame) => frame.notice === "thread.status").map((frame) => `${String(frame.status)}${frame.awaiting_human === true ? " (awaiting a human)" : ""}`);

function expectNotice(frame: Frame, notice: string, threadId: string): void {
  expect(frame).toMatchObject({ type: "notice", notice, thread_id: threadId });
  expect(typeof frame.created_at).toBe("string");
  expect(frame.seq).toBeUndefined();
}

describe("every socket of a user hears of the user's threads being created, renamed and deleted", () => {
  it("over WS on one instance: both of alice's sockets, the acting one included; bob's socket nothing", async () => {
    const first = await connect(cluster.instanceA, cluster.aliceKey);
    const second = await connect(cluster.instanceA, cluster.aliceKey);
    const bob = await connect(cluster.instanceA, cluster.bobKey);

    const { thread_id: threadId } = await first.call<{ thread_id: string }>("thread.open", { title: "Plans" });
    for (const socket of [first, second]) {
      const created = await socket.waitForNotice("thread.created", threadId);
      expectNotice(created, "thread.created", threadId);
      expect(created.thread).toMatchObject({ thread_id: threadId, title: "Plans", user_id: "alice" });
    }

    await second.call("thread.update", { thread_id: threadId, title: "Holiday plans" });
    for (const socket of [first, second]) {
      expect((await socket.waitForNotice("thread.updated", threadId)).thread).toMatchObject({ title: "Holiday plans" });
    }
    await first.call("thread.update", { thread_id: threadId, metadata: { pinned: true } });
    await expect.poll(() => second.notices(threadId).filter((frame) => frame.notice === "thread.updated").length).toBe(2);
    expect(second.notices(threadId).at(-1)?.thread).toMatchObject({ title: "Holiday plans", metadata: { pinned: true } });

    await first.call("thread.delete", { thread_id: threadId });
    for (const socket of [first, second]) {
      const deleted = await socket.waitForNotice("thread.deleted", threadId);
      expectNotice(deleted, "thread.deleted", threadId);
      expect(deleted.thread).toBeNull();
    }
    await settle();
    // In the order the changes were made, each once.
    expect(kinds(first, threadId)).toEqual(["thread.created", "thread.updated", "thread.updated", "thread.deleted"]);
    expect(kinds(second, threadId)).toEqual(kinds(first, threadId));
    // Never another user's: bob heard nothing of alice's thread, by id or otherwise.
    expect(bob.notices()).toEqual([]);
  });

  it("another user's changes never reach alice, and bob's own sockets hear them", async () => {
    const alice = await connect(cluster.instanceA, cluster.aliceKey);
    const bobHere = await connect(cluster.instanceA, cluster.bobKey);
    const bobThere = await connect(cluster.instanceB, cluster.bobKey);
    const { thread_id: threadId } = await bobHere.call<{ thread_id: string }>("thread.open", {});
    await bobHere.call("thread.update", { thread_id: threadId, title: "bob's secret" });
    await bobThere.waitForNotice("thread.updated", threadId);
    await bobHere.call("thread.delete", { thread_id: threadId });
    await bobThere.waitForNotice("thread.deleted", threadId);
    await settle();
    expect(alice.notices()).toEqual([]);
    expect(kinds(bobHere, threadId)).toEqual(["thread.created", "thread.updated", "thread.deleted"]);
    // Changing or deleting another user's thread is not_found and tells nobody anything.
    const { thread_id: aliceThread } = await alice.call<{ thread_id: string }>("thread.open", {});
    expect((await bobHere.callError("thread.update", { thread_id: aliceThread, title: "mine now" })).code).toBe("not_found");
    expect((await bobHere.callError("thread.delete", { thread_id: aliceThread })).code).toBe("not_found");
    await settle();
    expect(kinds(alice, aliceThread)).toEqual(["thread.created"]);
    expect(bobHere.notices(aliceThread)).toEqual([]);
  });

  it("across instances: HTTP create on A, rename on B, delete on A reach alice's sockets on both; bob's on B nothing", async () => {
    const onA = await connect(cluster.instanceA, cluster.aliceKey);
    const onB = await connect(cluster.instanceB, cluster.aliceKey);
    const bobOnB = await connect(cluster.instanceB, cluster.bobKey);

    const created = await requestJson(cluster.instanceA.url, { method: "POST", path: "/threads", body: { title: "From the SDK", metadata: { source: "sdk" } }, headers: auth(cluster.aliceKey) });
    expect(created.status).toBe(200);
    const threadId = (created.body as { thread_id: string }).thread_id;
    // Instance B read the session once the create committed: the whole session, as alice sees it.
    expect((await onB.waitForNotice("thread.created", threadId)).thread).toMatchObject({ thread_id: threadId, title: "From the SDK", metadata: { source: "sdk" } });
    await onA.waitForNotice("thread.created", threadId);

    const patched = await requestJson(cluster.instanceB.url, { method: "PATCH", path: `/threads/${threadId}`, body: { title: "Renamed on B" }, headers: auth(cluster.aliceKey) });
    expect(patched.status).toBe(200);
    expect((await onA.waitForNotice("thread.updated", threadId)).thread).toMatchObject({ title: "Renamed on B" });
    await onB.waitForNotice("thread.updated", threadId);

    const deleted = await requestJson(cluster.instanceA.url, { method: "DELETE", path: `/threads/${threadId}`, headers: auth(cluster.aliceKey) });
    expect(deleted.status).toBe(204);
    expect((await onB.waitForNotice("thread.deleted", threadId)).thread).toBeNull();
    await onA.waitForNotice("thread.deleted", threadId);
    await settle();
    expect(kinds(onA, threadId)).toEqual(["thread.created", "thread.updated", "thread.deleted"]);
    expect(kinds(onB, threadId)).toEqual(kinds(onA, threadId));
    expect(bobOnB.notices()).toEqual([]);
  });

  it("a copy (a fork) is a created thread too; reopening an existing session is no change", async () => {
    const acting = await connect(cluster.instanceA, cluster.aliceKey);
    const watching = await connect(cluster.instanceB, cluster.aliceKey);
    const { thread_id: threadId } = await acting.call<{ thread_id: string }>("thread.open", { window_id: "notices-window" });
    await watching.waitForNotice("thread.created", threadId);
    const again = await acting.call<{ thread_id: string; created: boolean }>("thread.open", { window_id: "notices-window" });
    expect(again).toMatchObject({ thread_id: threadId, created: false });
    await chat(acting, threadId, "something to copy");

    const copied = await requestJson(cluster.instanceA.url, { method: "POST", path: `/threads/${threadId}/copy`, headers: auth(cluster.aliceKey) });
    expect(copied.status).toBe(200);
    const copyId = (copied.body as { thread_id: string }).thread_id;
    expect((await watching.waitForNotice("thread.created", copyId)).thread).toMatchObject({ thread_id: copyId });
    await settle();
    // Reopening announced nothing; the first message titled the session (below).
    expect(kinds(watching, threadId)).toEqual(["thread.created", "thread.updated"]);
  });

  it("an imported conversation is announced once its transaction committed, on both instances", async () => {
    const onA = await connect(cluster.instanceA, cluster.aliceKey);
    const onB = await connect(cluster.instanceB, cluster.aliceKey);
    const imported = await requestJson(cluster.instanceA.url, {
      method: "POST",
      path: "/threads/import",
      body: { conversation: [{ role: "user", content: "hi" }, { role: "assistant", content: "hello" }], title: "Imported" },
      headers: auth(cluster.aliceKey),
    });
    expect(imported.status).toBe(201);
    const threadId = (imported.body as { thread_id: string }).thread_id;
    for (const socket of [onA, onB]) expect((await socket.waitForNotice("thread.created", threadId)).thread).toMatchObject({ title: "Imported" });
    // A refused import creates nothing, and announces nothing.
    const before = onB.notices().length;
    const refused = await requestJson(cluster.instanceA.url, { method: "POST", path: "/threads/import", body: { conversation: [] }, headers: auth(cluster.aliceKey) });
    expect(refused.status).toBe(400);
    await settle();
    expect(onB.notices()).toHaveLength(before);
  });

  it("a socket that closed hears nothing more, and its user's other sockets go on hearing", async () => {
    const leaving = await connect(cluster.instanceA, cluster.aliceKey);
    const staying = await connect(cluster.instanceA, cluster.aliceKey);
    await leaving.close();
    const { thread_id: threadId } = await staying.call<{ thread_id: string }>("thread.open", {});
    await staying.waitForNotice("thread.created", threadId);
    expect(leaving.notices(threadId)).toEqual([]);
  });
});

describe("a reply starting and ending is told to every socket of the user as thread.status", () => {
  it("a chat on A: alice's sockets on A and B hear busy then idle, with the activity time thread.get then gives; bob nothing", async () => {
    const onA = await connect(cluster.instanceA, cluster.aliceKey);
    const onB = await connect(cluster.instanceB, cluster.aliceKey);
    const bobOnB = await connect(cluster.instanceB, cluster.bobKey);
    const { thread_id: threadId } = await onA.call<{ thread_id: string }>("thread.open", {});
    await onB.waitForNotice("thread.created", threadId);

    await chat(onA, threadId, "hello");
    const after = await onA.call<{ status: string; last_activity_at: string }>("thread.get", { thread_id: threadId });
    for (const socket of [onA, onB]) {
      await expect.poll(() => statuses(socket, threadId)).toEqual(["busy", "idle"]);
      const [busy, idle] = socket.notices(threadId).filter((frame) => frame.notice === "thread.status");
      expectNotice(busy as Frame, "thread.status", threadId);
      expect(idle).toMatchObject({ status: "idle", last_activity_at: after.last_activity_at });
      expect(Date.parse(String(busy?.last_activity_at))).toBeLessThanOrEqual(Date.parse(after.last_activity_at));
      expect(idle?.thread).toBeUndefined();
    }
    expect(after.status).toBe("idle");
    await settle();
    expect(bobOnB.notices()).toEqual([]);
  });

  it("a queued run (HTTP, after_seconds) cancelled on B: busy when queued, idle when cancelled, on both instances", async () => {
    const onA = await connect(cluster.instanceA, cluster.aliceKey);
    const onB = await connect(cluster.instanceB, cluster.aliceKey);
    const { thread_id: threadId } = await onA.call<{ thread_id: string }>("thread.open", {});
    const queued = await requestJson(cluster.instanceA.url, {
      method: "POST",
      path: `/threads/${threadId}/runs`,
      body: { input: { messages: [{ role: "user", content: "later" }] }, after_seconds: 600 },
      headers: auth(cluster.aliceKey),
    });
    expect((queued.body as { status: string }).status).toBe("pending");
    for (const socket of [onA, onB]) await expect.poll(() => statuses(socket, threadId)).toEqual(["busy"]);

    const runId = (queued.body as { run_id: string }).run_id;
    const cancelled = await requestJson(cluster.instanceB.url, { method: "POST", path: `/threads/${threadId}/runs/${runId}/cancel`, headers: auth(cluster.aliceKey) });
    expect(cancelled.status).toBeLessThan(300);
    for (const socket of [onA, onB]) await expect.poll(() => statuses(socket, threadId)).toEqual(["busy", "idle"]);
  });

  it("a run that stops for an approval leaves the thread interrupted, and so does its copy: both told as thread.status", async () => {
    const acting = await connect(cluster.instanceA, cluster.aliceKey);
    const watching = await connect(cluster.instanceB, cluster.aliceKey);
    const { thread_id: threadId } = await acting.call<{ thread_id: string }>("thread.open", {});
    const { run_id: runId } = await acting.call<{ run_id: string }>("run.start", {
      thread_id: threadId,
      input: { messages: [{ role: "user", content: '/tool send_email {"to":"ada@example.com","subject":"Hi","body":"Hello"}' }] },
    });
    await acting.waitFor((frame) => frame.run_id === runId && frame.event === "run.interrupted");
    for (const socket of [acting, watching]) await expect.poll(() => awaiting(socket, threadId)).toEqual(["busy", "interrupted (awaiting a human)"]);
    expect(await acting.call("thread.get", { thread_id: threadId })).toMatchObject({ status: "interrupted", awaiting_human: true });

    const copied = await requestJson(cluster.instanceA.url, { method: "POST", path: `/threads/${threadId}/copy`, headers: auth(cluster.aliceKey) });
    expect(copied.status).toBe(200);
    const copyId = (copied.body as { thread_id: string; status: string }).thread_id;
    expect((copied.body as { status: string }).status).toBe("interrupted");
    await watching.waitForNotice("thread.created", copyId);
    await expect.poll(() => awaiting(watching, copyId)).toEqual(["interrupted (awaiting a human)"]);
    const listed = await watching.call<{ sessions: { thread_id: string; awaiting_human: boolean }[] }>("thread.list", { limit: 10 });
    expect(listed.sessions.find((session) => session.thread_id === copyId)).toMatchObject({ status: "interrupted", awaiting_human: true });

    // Answered: the resumed run makes it busy, then idle; nobody is awaited any more.
    const [question] = (await acting.call<{ interrupts: { id: string }[] }>("state.get", { thread_id: threadId })).interrupts;
    await acting.call("input.respond", { thread_id: threadId, interrupt_id: question?.id, value: { decision: "reject" } });
    for (const socket of [acting, watching]) await expect.poll(() => awaiting(socket, threadId)).toEqual(["busy", "interrupted (awaiting a human)", "busy", "idle"]);
    expect(await watching.call("thread.get", { thread_id: threadId })).toMatchObject({ status: "idle", awaiting_human: false });
  });

  it("a run stopped by run.cancel {action: interrupt} leaves the thread interrupted, asking no human: so say its notices and its session", async () => {
    const acting = await connect(cluster.instanceA, cluster.aliceKey);
    const watching = await connect(cluster.instanceB, cluster.aliceKey);
    const { thread_id: threadId } = await acting.call<{ thread_id: string }>("thread.open", {});
    const { run_id: runId } = await acting.call<{ run_id: string }>("run.start", { thread_id: threadId, input: { messages: [{ role: "user", content: '/tool slow_task {"ms": 20000}' }] } });
    await acting.waitForEvent("tool.started", { run_id: runId });
    // The LangGraph SDK's runs.cancel default action, from the other instance.
    await watching.call("run.cancel", { thread_id: threadId, run_id: runId, action: "interrupt" });
    await acting.waitFor((frame) => frame.run_id === runId && frame.event === "run.failed");
    for (const socket of [acting, watching]) await expect.poll(() => awaiting(socket, threadId)).toEqual(["busy", "interrupted"]);
    expect(await watching.call("thread.get", { thread_id: threadId })).toMatchObject({ status: "interrupted", awaiting_human: false });
    const listed = await acting.call<{ sessions: { thread_id: string }[] }>("thread.list", { limit: 10 });
    expect(listed.sessions.find((session) => session.thread_id === threadId)).toMatchObject({ status: "interrupted", awaiting_human: false });
    // LangGraph clients read the same from the thread itself: interrupted, with no interrupts.
    const thread = await requestJson(cluster.instanceB.url, { method: "GET", path: `/threads/${threadId}`, headers: auth(cluster.aliceKey) });
    expect(thread.body).toMatchObject({ status: "interrupted", interrupts: {} });
  });
});

describe("the first message titles an untitled session, whichever client sent it", () => {
  it("over WS: titled from its first line, told to every socket of the user; later messages change nothing", async () => {
    const acting = await connect(cluster.instanceA, cluster.aliceKey);
    const watching = await connect(cluster.instanceB, cluster.aliceKey);
    const { thread_id: threadId } = await acting.call<{ thread_id: string }>("thread.open", {});
    await chat(acting, threadId, "## How do I plan a **trip** to Lisbon?\nWith kids.");
    expect((await watching.waitForNotice("thread.updated", threadId)).thread).toMatchObject({ title: "How do I plan a trip to Lisbon?" });
    await chat(acting, threadId, "And Porto?");
    await settle();
    expect(kinds(watching, threadId)).toEqual(["thread.created", "thread.updated"]);
    expect(await acting.call("thread.get", { thread_id: threadId })).toMatchObject({ title: "How do I plan a trip to Lisbon?" });
  });

  it("through the HTTP API (the SDK's threads.create then runs.wait): titled, in Chinese too", async () => {
    const created = await requestJson(cluster.instanceA.url, { method: "POST", path: "/threads", body: {}, headers: auth(cluster.aliceKey) });
    const threadId = (created.body as { thread_id: string }).thread_id;
    const waited = await requestJson(cluster.instanceB.url, { method: "POST", path: `/threads/${threadId}/runs/wait`, body: { input: { messages: [{ role: "user", content: "帮我规划去里斯本的旅行" }] } }, headers: auth(cluster.aliceKey) });
    expect(waited.status).toBe(200);
    const thread = await requestJson(cluster.instanceA.url, { method: "GET", path: `/threads/${threadId}`, headers: auth(cluster.aliceKey) });
    expect(thread.body).toMatchObject({ title: "帮我规划去里斯本的旅行" });
  });

  it("a title given at creation, a first message without words, and a rename before the first message are kept", async () => {
    const socket = await connect(cluster.instanceA, cluster.aliceKey);
    const named = (await socket.call<{ thread_id: string }>("thread.open", { title: "Chosen" })).thread_id;
    await chat(socket, named, "Something else entirely");
    const wordless = (await socket.call<{ thread_id: string }>("thread.open", {})).thread_id;
    await chat(socket, wordless, "```\nSELECT 1\n```");
    await chat(socket, wordless, "Now with words");
    const renamed = (await socket.call<{ thread_id: string }>("thread.open", {})).thread_id;
    await socket.call("thread.update", { thread_id: renamed, title: "Mine" });
    await chat(socket, renamed, "A first message");
    const titles = await Promise.all([named, wordless, renamed].map((id) => socket.call<{ title: string | null }>("thread.get", { thread_id: id })));
    expect(titles.map((thread) => thread.title)).toEqual(["Chosen", null, "Mine"]);
  });
});
