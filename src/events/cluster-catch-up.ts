import type { Services } from "../services.js";

/**
 * Another instance deleted a thread (its notice, or its absence found after a reconnect): a run of it executing here
 * stops now, as when it is deleted here, and its subscribers here are told.
 */
export function endDeletedThread(services: Pick<Services, "bus" | "active">, threadId: string): void {
  services.active.stopThread(threadId, { kind: "cancel", action: "cancel", message: "the thread was deleted" });
  services.bus.announceDeleted(threadId);
}

/**
 * What an instance does when its LISTEN connection is back after being lost: everything announced meanwhile was
 * missed. Subscribers get the events the log stored since what they got, and those of threads deleted meanwhile
 * their `thread.deleted` (a run of such a thread executing here stops). Cancel requests are read at the runs' next
 * lease renewal; list notices at the page's next refresh.
 */
export async function catchUpAfterReconnect(services: Pick<Services, "bus" | "pool" | "active" | "logger">): Promise<void> {
  services.bus.catchUpAll();
  const listened = services.bus.threadIds();
  if (listened.length === 0) return;
  try {
    const { rows } = await services.pool.query<{ thread_id: string }>("SELECT thread_id::text FROM threads WHERE thread_id = ANY($1::uuid[])", [listened]);
    const existing = new Set(rows.map((row) => row.thread_id));
    for (const threadId of listened.filter((id) => !existing.has(id))) endDeletedThread(services, threadId);
  } catch (error) {
    services.logger.warn({ err: error }, "could not check for threads deleted while the cluster listener was down");
  }
}
