import { expect, it } from "vitest";
import { ConversationImporter } from "../../src/memory/conversation-importer.js";
import { useTestServer } from "../helpers/test-server.js";
import { longConversation } from "../transcript/conversation-fixture.js";

const fixture = useTestServer();

/** An importer whose checkpoint write is wrapped: `during` runs inside the import's transaction, before the write. */
function importerWith(during: (threadId: string) => Promise<void>) {
  const { services } = fixture.server;
  const threadState = Object.create(services.threadState) as typeof services.threadState;
  threadState.updateOn = async (graph, change) => {
    await during(change.thread_id);
    return services.threadState.updateOn(graph, change);
  };
  return new ConversationImporter({ pool: services.pool, sessions: services.sessions, assistants: services.assistants, threadState, models: services.models, saver: services.checkpointer });
}

const count = async (sql: string, threadId: string) => (await fixture.server.services.pool.query<{ n: number }>(sql, [threadId])).rows[0]?.n;

it("an import is invisible until it commits: its thread is not listed, searchable or runnable meanwhile", async () => {
  const seen: { threads?: number; messages?: number; listed?: boolean } = {};
  const importer = importerWith(async (threadId) => {
    // Another connection, as another window or a run would use: the transcript is written, but not committed.
    seen.threads = await count("SELECT count(*)::int AS n FROM threads WHERE thread_id = $1", threadId);
    seen.messages = await count("SELECT count(*)::int AS n FROM messages WHERE thread_id = $1", threadId);
    const page = await fixture.server.services.sessions.list("local", { limit: 100 });
    seen.listed = page.sessions.some((session) => session.thread_id === threadId);
  });
  const result = await importer.import({ userId: "local", text: longConversation(50) });
  expect(seen).toEqual({ threads: 0, messages: 0, listed: false });
  expect(await count("SELECT count(*)::int AS n FROM messages WHERE thread_id = $1", result.thread.thread_id)).toBe(result.messages);
});

it("an import that fails after its transcript was written leaves nothing behind", async () => {
  let threadId = "";
  const importer = importerWith((id) => {
    threadId = id;
    return Promise.reject(new Error("the machine lost power"));
  });
  await expect(importer.import({ userId: "local", text: longConversation(50) })).rejects.toThrow("the machine lost power");
  expect(threadId).not.toBe("");
  for (const table of ["threads", "messages", "checkpoints", "checkpoint_messages"]) {
    expect(await count(`SELECT count(*)::int AS n FROM ${table} WHERE thread_id = $1`, threadId), table).toBe(0);
  }
});
