import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EventLog } from "../../src/events/event-log.js";
import { ThreadChangeFeed } from "../../src/events/thread-change-feed.js";
import { migrate } from "../../src/db/migrate.js";
import { createLogger } from "../../src/logger.js";
import { SessionStore } from "../../src/sessions/session-store.js";
import type { ToolContext } from "../../src/tools/tool-definition.js";
import { TranscriptStore } from "../../src/transcript/transcript-store.js";
import { notesSearch } from "../../tools/notes-search.js";
import { notesWrite } from "../../tools/notes-write.js";
import { type StorageBackend, STORAGE_BACKENDS } from "./storage-backends.js";

describe.each(STORAGE_BACKENDS)("storage on $name", (kind) => {
  let backend: StorageBackend;
  let sessions: SessionStore;

  beforeAll(async () => {
    backend = await kind.open();
    sessions = new SessionStore(backend.pool);
  });
  afterAll(async () => {
    await backend.dispose();
  });

  it("migrations are idempotent", async () => {
    expect(await migrate({ pool: backend.pool, logger: createLogger({ level: "silent" }) })).toEqual({ applied: [] });
  });

  describe("sessions", () => {
    it("one live session per (user, window); opening again returns it", async () => {
      const first = await sessions.open({ userId: "ann", assistantId: "chat", windowId: "desk" });
      const again = await sessions.open({ userId: "ann", assistantId: "chat", windowId: "desk" });
      const otherUser = await sessions.open({ userId: "ben", assistantId: "chat", windowId: "desk" });
      expect(first.created).toBe(true);
      expect(again).toEqual({ session: first.session, created: false });
      expect(otherUser.session.thread_id).not.toBe(first.session.thread_id);
    });

    it("concurrent opens of one window create exactly one session", async () => {
      const results = await Promise.all(Array.from({ length: 8 }, () => sessions.open({ userId: "cat", assistantId: "chat", windowId: "race" })));
      expect(new Set(results.map((result) => result.session.thread_id)).size).toBe(1);
      expect(results.filter((result) => result.created)).toHaveLength(1);
    });

    it("lists newest activity first with a stable cursor", async () => {
      const ids: string[] = [];
      for (let index = 0; index < 5; index += 1) {
        ids.push((await sessions.open({ userId: "dan", assistantId: "chat", title: `s${index}` })).session.thread_id);
        // PGlite's clock can give two quick opens the same now(); equal activity is ordered by id, not by age.
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      const first = await sessions.list("dan", { limit: 2 });
      const second = await sessions.list("dan", { limit: 2, cursor: first.next_cursor ?? undefined });
      const third = await sessions.list("dan", { limit: 2, cursor: second.next_cursor ?? undefined });
      const listed = [...first.sessions, ...second.sessions, ...third.sessions].map((session) => session.thread_id);
      expect(listed).toEqual([...ids].reverse());
      expect(third.next_cursor).toBeNull();
    });

    it("update, search and delete are scoped to the owner", async () => {
      const { session } = await sessions.open({ userId: "eve", assistantId: "chat", metadata: { topic: "tax" } });
      await expect(sessions.update("mallory", session.thread_id, { title: "x" })).rejects.toMatchObject({ code: "not_found" });
      await expect(sessions.delete("mallory", session.thread_id)).rejects.toMatchObject({ code: "not_found" });
      expect(await sessions.search("mallory", { metadata: { topic: "tax" }, limit: 10, offset: 0, sort_by: "updated_at", sort_order: "desc" })).toEqual([]);
      const renamed = await sessions.update("eve", session.thread_id, { title: "Taxes 税务", metadata: { year: 2026 } });
      expect(renamed).toMatchObject({ title: "Taxes 税务", metadata: { topic: "tax", year: 2026 } });
      await sessions.delete("eve", session.thread_id);
      await expect(sessions.get("eve", session.thread_id)).rejects.toMatchObject({ code: "not_found" });
    });
  });

  it("each committed change is told to its owner's listeners, with the session; a refused one tells nobody", async () => {
    const feed = new ThreadChangeFeed();
    // With a channel: the statement that makes the change NOTIFYs too (on the embedded database, nobody listens).
    const announcing = new SessionStore(backend.pool, { announcement: { channel: "threadline_threads", instanceId: "conformance" }, changes: feed });
    const told: string[] = [];
    feed.subscribe("gus", (change) => told.push(`${change.kind}:${("session" in change && change.session?.title) || "-"}`));
    feed.subscribe("mallory", (change) => told.push(`mallory saw ${change.kind}`));
    const { session } = await announcing.open({ userId: "gus", assistantId: "chat", title: "first" });
    await announcing.open({ userId: "gus", assistantId: "chat", windowId: "w" });
    await announcing.open({ userId: "gus", assistantId: "chat", windowId: "w" });
    await announcing.update("gus", session.thread_id, { title: "second" });
    await expect(announcing.update("mallory", session.thread_id, { title: "x" })).rejects.toMatchObject({ code: "not_found" });
    await expect(announcing.delete("mallory", session.thread_id)).rejects.toMatchObject({ code: "not_found" });
    await announcing.delete("gus", session.thread_id);
    await feed.settled();
    expect(told).toEqual(["created:first", "created:-", "updated:second", "deleted:-"]);
  });

  describe("transcript and events", () => {
    it("append assigns increasing seqs, skips repeated ids and pages newest last", async () => {
      const transcript = new TranscriptStore(backend.pool);
      const { session } = await sessions.open({ userId: "fay", assistantId: "chat" });
      const threadId = session.thread_id;
      const written = await transcript.append({
        threadId,
        runId: null,
        messages: Array.from({ length: 25 }, (_, index) => ({ id: `m${index}`, role: index % 2 ? ("assistant" as const) : ("user" as const), content: `第${index}条 message` })),
      });
      expect(written.map((message) => message.seq)).toEqual(Array.from({ length: 25 }, (_, index) => index + 1));
      expect(await transcript.append({ threadId, runId: null, messages: [{ id: "m3", role: "user", content: "dup" }] })).toEqual([]);
      const last = await transcript.list(threadId, { limit: 10 });
      expect(last.messages.map((message) => message.id)).toEqual(Array.from({ length: 10 }, (_, index) => `m${index + 15}`));
      const before = await transcript.list(threadId, { limit: 10, before: last.next_before ?? undefined });
      expect(before.messages[0]?.id).toBe("m5");
      const first = await transcript.list(threadId, { limit: 10, before: before.next_before ?? undefined });
      expect(first.messages).toHaveLength(5);
      expect(first.next_before).toBeNull();
    });

    it("events get strictly increasing per-thread seqs, even from concurrent writers", async () => {
      const events = new EventLog(backend.pool);
      const { session } = await sessions.open({ userId: "gus", assistantId: "chat" });
      const delta = (text: string) => ({ event: "message.delta" as const, data: { message_id: "m", text } });
      await Promise.all(Array.from({ length: 10 }, (_, index) => events.append({ threadId: session.thread_id, runId: null, events: [delta(`${index}a`), delta(`${index}b`)] })));
      const stored = await events.listSince(session.thread_id, 0);
      expect(stored.map((event) => event.seq)).toEqual(Array.from({ length: 20 }, (_, index) => index + 1));
      expect((await events.listSince(session.thread_id, 15)).map((event) => event.seq)).toEqual([16, 17, 18, 19, 20]);
    });

    it("writes for a deleted thread are dropped, not resurrected", async () => {
      const events = new EventLog(backend.pool);
      const transcript = new TranscriptStore(backend.pool);
      const { session } = await sessions.open({ userId: "hal", assistantId: "chat" });
      await sessions.delete("hal", session.thread_id);
      expect(await events.append({ threadId: session.thread_id, runId: null, events: [{ event: "message.delta", data: { message_id: "m", text: "late" } }] })).toEqual([]);
      expect(await transcript.append({ threadId: session.thread_id, runId: null, messages: [{ id: "late", role: "assistant", content: "late" }] })).toEqual([]);
    });
  });

  describe("notes tools", () => {
    const context = (userId: string): ToolContext => ({ userId, threadId: "t", runId: "r", db: backend.pool, signal: new AbortController().signal });

    it("search works for English, Chinese and mixed text, per user", async () => {
      await notesWrite.execute({ title: "Groceries", body: "Buy oat milk and coffee beans" }, context("ivy"));
      await notesWrite.execute({ title: "会议记录", body: "下周三下午和产品团队讨论发布计划" }, context("ivy"));
      await notesWrite.execute({ title: "Trip", body: "Flight to 上海 on Friday, hotel near the Bund" }, context("ivy"));
      await notesWrite.execute({ title: "Other user's", body: "coffee with 产品团队" }, context("jay"));
      const search = async (query: string) =>
        (JSON.parse(await notesSearch.execute({ query, limit: 5 }, context("ivy"))) as { title: string }[]).map((note) => note.title);
      expect(await search("coffee")).toEqual(["Groceries"]);
      expect(await search("产品团队")).toEqual(["会议记录"]);
      expect(await search("发布")).toEqual(["会议记录"]);
      expect(await search("上海 hotel")).toEqual(["Trip"]);
      expect(await search("100%_literal")).toEqual([]);
    });
  });
});
