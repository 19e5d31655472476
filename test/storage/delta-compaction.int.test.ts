import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DeltaCompaction } from "../../src/events/delta-compaction.js";
import { EventLog } from "../../src/events/event-log.js";
import type { NewThreadEvent } from "../../src/events/thread-event.js";
import { SessionStore } from "../../src/sessions/session-store.js";
import { TranscriptStore } from "../../src/transcript/transcript-store.js";
import { STORAGE_BACKENDS, type StorageBackend } from "./storage-backends.js";

const MINUTE = 60_000;
const inAnHour = () => new Date(Date.now() + 60 * MINUTE);

const deltas = (messageId: string, pieces: string[]): NewThreadEvent[] => pieces.map((text) => ({ event: "message.delta", data: { message_id: messageId, text } }));

describe.each(STORAGE_BACKENDS)("token delta compaction on $name", (kind) => {
  let backend: StorageBackend;
  let sessions: SessionStore;
  let log: EventLog;
  let transcript: TranscriptStore;

  beforeAll(async () => {
    backend = await kind.open();
    sessions = new SessionStore(backend.pool);
    log = new EventLog(backend.pool);
    transcript = new TranscriptStore(backend.pool);
  });
  afterAll(async () => backend.dispose());

  /** A run's events as the executor stores them: start, deltas, then (if it completed) the message in the transcript and its event. */
  async function streamReply(threadId: string, pieces: string[], options: { complete: boolean }): Promise<string> {
    const runId = randomUUID();
    const messageId = `reply-${randomUUID()}`;
    await log.append({ threadId, runId, events: [{ event: "run.started", data: { run_id: runId, assistant_id: "chat", attempt: 1, resumed: false, kind: "chat", checkpoint_id: null } }] });
    for (const piece of pieces) await log.append({ threadId, runId, events: deltas(messageId, [piece]) });
    if (options.complete) {
      const [message] = await transcript.append({ threadId, runId, messages: [{ id: messageId, role: "assistant", content: pieces.join("") }] });
      await log.append({ threadId, runId, events: [{ event: "message.completed", data: { message: message! } }] });
    }
    return messageId;
  }

  async function eventNames(threadId: string): Promise<string[]> {
    return (await log.listSince(threadId, 0)).map((event) => event.event);
  }

  it("deletes the deltas of completed messages once old enough, keeps everything else, and replays the message whole", async () => {
    const { session } = await sessions.open({ userId: "ann", assistantId: "chat" });
    const threadId = session.thread_id;
    await streamReply(threadId, ["Par", "is is ", "the capital."], { complete: true });
    const cancelled = await streamReply(threadId, ["Half a rep"], { complete: false });
    const before = await log.listSince(threadId, 0);
    const compaction = new DeltaCompaction(backend.pool);

    // Not old enough yet: nothing is touched.
    expect(await compaction.sweep({ olderThanMinutes: 60 })).toMatchObject({ deleted: 0 });
    expect(await log.listSince(threadId, 0)).toEqual(before);

    const swept = await compaction.sweep({ olderThanMinutes: 60, now: inAnHour() });
    expect(swept.deleted).toBe(3);
    const after = await log.listSince(threadId, 0);
    expect(after.map((event) => event.event)).toEqual(["run.started", "message.completed", "run.started", "message.delta"]);
    // The cancelled reply's delta is the only record of what was shown: it stays.
    expect(after.at(-1)?.data).toEqual({ message_id: cancelled, text: "Half a rep" });
    // Kept events keep their seqs (gaps where the deltas were), and the completed message carries the whole text.
    expect(after.map((event) => event.seq)).toEqual(before.filter((event) => event.event !== "message.delta" || event.seq === before.at(-1)?.seq).map((event) => event.seq));
    expect(after[1]).toMatchObject({ event: "message.completed", data: { message: { content: "Paris is the capital." } } });
    // New events continue after the highest seq ever handed out.
    const [next] = await log.append({ threadId, runId: null, events: deltas("later", ["x"]) });
    expect(next?.seq).toBe((before.at(-1)?.seq ?? 0) + 1);
  });

  it("looks at each delta once: a second sweep finds nothing, later deltas are compacted by a later sweep", async () => {
    const { session } = await sessions.open({ userId: "ben", assistantId: "chat" });
    const compaction = new DeltaCompaction(backend.pool);
    await compaction.sweep({ olderThanMinutes: 0, now: inAnHour() });
    await streamReply(session.thread_id, ["a", "b"], { complete: false });
    expect(await compaction.sweep({ olderThanMinutes: 0, now: inAnHour() })).toEqual({ scanned: 2, deleted: 0 });
    // Looked at and kept: not scanned again.
    expect(await compaction.sweep({ olderThanMinutes: 0, now: inAnHour() })).toEqual({ scanned: 0, deleted: 0 });
    await streamReply(session.thread_id, ["c", "d", "e"], { complete: true });
    expect(await compaction.sweep({ olderThanMinutes: 0, now: inAnHour() })).toEqual({ scanned: 3, deleted: 3 });
    expect(await eventNames(session.thread_id)).toEqual(["run.started", "message.delta", "message.delta", "run.started", "message.completed"]);
  });

  it("works through a backlog in batches, deltas stored together (one created_at) included", async () => {
    const { session } = await sessions.open({ userId: "cat", assistantId: "chat" });
    await new DeltaCompaction(backend.pool).sweep({ olderThanMinutes: 0, now: inAnHour() });
    const runId = randomUUID();
    const ids = ["m1", "m2", "m3"].map((name) => `${name}-${randomUUID()}`);
    // Paced deltas are stored several per statement: they share a created_at, which the batches must not split badly.
    for (const id of ids) await log.append({ threadId: session.thread_id, runId, events: deltas(id, ["1", "2", "3", "4", "5"]) });
    for (const id of ids) await transcript.append({ threadId: session.thread_id, runId, messages: [{ id, role: "assistant", content: "12345" }] });
    const swept = await new DeltaCompaction(backend.pool, { batchSize: 4 }).sweep({ olderThanMinutes: 0, now: inAnHour() });
    expect(swept).toEqual({ scanned: 15, deleted: 15 });
    expect(await eventNames(session.thread_id)).toEqual([]);
  });

  it("a thread deleted meanwhile is no obstacle", async () => {
    const { session } = await sessions.open({ userId: "dan", assistantId: "chat" });
    await streamReply(session.thread_id, ["gone"], { complete: true });
    await sessions.delete("dan", session.thread_id);
    await expect(new DeltaCompaction(backend.pool).sweep({ olderThanMinutes: 0, now: inAnHour() })).resolves.toMatchObject({ deleted: 0 });
  });
});
