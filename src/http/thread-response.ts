import type { Session } from "../sessions/session.js";

/** A session in LangGraph Platform's Thread shape, with Threadline's fields alongside. */
export function toThreadResponse(session: Session, values: unknown = null): Record<string, unknown> {
  return {
    thread_id: session.thread_id,
    created_at: session.created_at,
    updated_at: session.updated_at,
    metadata: { ...session.metadata, assistant_id: session.assistant_id },
    status: session.status,
    values,
    interrupts: {},
    assistant_id: session.assistant_id,
    window_id: session.window_id,
    title: session.title,
    last_activity_at: session.last_activity_at,
  };
}
