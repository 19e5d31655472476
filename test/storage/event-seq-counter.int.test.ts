import pg from "pg";
import { runner } from "node-pg-migrate";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MIGRATIONS_DIR, migrate } from "../../src/db/migrate.js";
import { EventLog } from "../../src/events/event-log.js";
import { createLogger } from "../../src/logger.js";
import { createTestDatabase } from "../helpers/test-database.js";
import { SessionStore } from "../../src/sessions/session-store.js";
import { STORAGE_BACKENDS, type StorageBackend } from "./storage-backends.js";

const delta = (text: string) => ({ event: "message.delta" as const, data: { message_id: "m1", text } });

// The Postgres backend only: PGlite serves one connection, so nothing can hold a lock beside a second writer.
const postgres = STORAGE_BACKENDS.filter((backend) => backend.name === "Postgres");

describe.each(postgres)("a thread's event counter on $name", (kind) => {
  let backend: StorageBackend;
  let sessions: SessionStore;
  let log: EventLog;

  beforeAll(async () => {
    backend = await kind.open();
    sessions = new SessionStore(backend.pool);
    log = new EventLog(backend.pool);
  });
  afterAll(async () => backend.dispose());

  it("storing an event does not wait for a lock on the thread's row (a submission, a transcript append, a run's finish)", async () => {
    const { session } = await sessions.open({ userId: "u1", assistantId: "chat" });
    const holder = await backend.pool.connect();
    try {
      await holder.query("BEGIN");
      // The lock submissions, claims and finishes take (NO KEY: it lets inserts referencing the thread through).
      await holder.query("SELECT 1 FROM threads WHERE thread_id = $1 FOR NO KEY UPDATE", [session.thread_id]);
      await holder.query("UPDATE threads SET message_seq = message_seq + 1 WHERE thread_id = $1", [session.thread_id]);
      // Before the counter had its own row, this append waited until the holder committed.
      const stored = await Promise.race([log.append({ threadId: session.thread_id, runId: null, events: [delta("a"), delta("b")] }), timeout(5_000)]);
      expect(stored.map((event) => event.seq)).toEqual([1, 2]);
      await holder.query("COMMIT");
    } finally {
      await holder.query("ROLLBACK");
      holder.release();
    }
    expect(await log.lastSeq(session.thread_id)).toBe(2);
    expect((await sessions.get("u1", session.thread_id)).last_seq).toBe(2);
  });

  it("seqs stay gap-free and in commit order across concurrent appends; a deleted thread stores nothing", async () => {
    const { session } = await sessions.open({ userId: "u1", assistantId: "chat" });
    await Promise.all(Array.from({ length: 20 }, (_, index) => log.append({ threadId: session.thread_id, runId: null, events: [delta(String(index))] })));
    const events = await log.listSince(session.thread_id, 0);
    expect(events.map((event) => event.seq)).toEqual(Array.from({ length: 20 }, (_, index) => index + 1));
    await sessions.delete("u1", session.thread_id);
    expect(await log.append({ threadId: session.thread_id, runId: null, events: [delta("late")] })).toEqual([]);
    expect(await log.lastSeq(session.thread_id)).toBe(0);
  });
});

function timeout(ms: number): Promise<never> {
  return new Promise((_, reject) => setTimeout(() => reject(new Error(`no answer within ${ms} ms: the append waited for the row lock`)), ms).unref());
}

it("migration 008 carries each thread's event count over from the threads row", async () => {
  await using database = await createTestDatabase();
  const pool = new pg.Pool({ connectionString: database.url, max: 2 });
  try {
    // The schema as it was before 008, with a thread that already has five events.
    await runner({ databaseUrl: database.url, dir: MIGRATIONS_DIR, direction: "up", count: 7, migrationsTable: "threadline_migrations", log: () => undefined });
    await pool.query("INSERT INTO threads (thread_id, user_id, assistant_id, event_seq) VALUES ('00000000-0000-4000-8000-000000000001', 'u1', 'chat', 5)");
    await migrate({ pool, logger: createLogger({ level: "silent" }) });
    const log = new EventLog(pool);
    expect(await log.lastSeq("00000000-0000-4000-8000-000000000001")).toBe(5);
    const [next] = await log.append({ threadId: "00000000-0000-4000-8000-000000000001", runId: null, events: [delta("after the upgrade")] });
    expect(next?.seq).toBe(6);
  } finally {
    await pool.end();
  }
});
