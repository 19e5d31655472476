import { waitingTasks } from "../sessions/pending-interrupts.js";
import type { Session } from "../sessions/session.js";

/**
 * A session in LangGraph Platform's Thread shape, with Threadline's fields alongside. `tasks` (the state's, when read)
 * fill `interrupts`: task id → the interrupts waiting there, as LangGraph clients read pending approvals.
 */
export function toThreadResponse(session: Session, values: unknown = null, tasks: readonly unknown[] = []): Record<string, unknown> {
  return {
    thread_id: session.thread_id,
    created_at: session.created_at,
    updated_at: session.updated_at,
    // LangGraph Platform stamps both on a thread at each run; clients list a graph's threads by them.
    metadata: { ...session.metadata, ...(session.graph_id !== null ? { graph_id: session.graph_id } : {}), assistant_id: session.assistant_id },
    status: session.status,
    values,
    interrupts: interruptsByTask(tasks),
    assistant_id: session.assistant_id,
    window_id: session.window_id,
    title: session.title,
    last_activity_at: session.last_activity_at,
  };
}

function interruptsByTask(tasks: readonly unknown[]): Record<string, unknown[]> {
  const byTask: Record<string, unknown[]> = {};
  for (const task of waitingTasks(tasks as { id?: unknown; interrupts?: unknown; result?: unknown }[])) {
    if (typeof task.id === "string" && Array.isArray(task.interrupts) && task.interrupts.length > 0) byTask[task.id] = task.interrupts;
  }
  return byTask;
}
