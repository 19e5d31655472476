import type { EventLog } from "../../events/event-log.js";
import type { StoredEventSource } from "../../events/replay-then-live.js";

/** One run's stored events (the thread's event log filtered by run), for replaying a run stream from its start. */
export function runEventSource(eventLog: Pick<EventLog, "listSince">, target: { threadId: string; runId: string }): StoredEventSource {
  return (since, limit) => eventLog.listSince(target.threadId, since, { limit, runId: target.runId });
}
