/** Thread status as LangGraph clients know it. */
export type SessionStatus = "idle" | "busy" | "error" | "interrupted";

/** A session: one LangGraph thread owned by one user, optionally bound to a window. */
export interface Session {
  thread_id: string;
  user_id: string;
  window_id: string | null;
  assistant_id: string;
  /** The graph of the thread's assistant (null when that assistant was deleted since). */
  graph_id: string | null;
  title: string | null;
  status: SessionStatus;
  /**
   * Whether a human is awaited: true only with `interrupted` from a question (an approval) or a static breakpoint;
   * false for a run stopped by `run.cancel {action: "interrupt"}`, which also leaves the thread `interrupted`.
   */
  awaiting_human: boolean;
  metadata: Record<string, unknown>;
  created_at: string;
  updated_at: string;
  last_activity_at: string;
  /** The seq of the thread's latest event (0 when none): subscribe with `since` = this to continue from now. */
  last_seq: number;
  /** The seq of the thread's newest transcript message (0 when it has none: nothing was said in it yet). */
  last_message_seq: number;
}

/** A page of sessions, newest activity first. */
export interface SessionPage {
  sessions: Session[];
  next_cursor: string | null;
}

/** LangGraph's thread search filter. */
export interface SessionSearchFilter {
  metadata?: Record<string, unknown>;
  status?: SessionStatus;
  /** Only these thread ids (still only the user's). */
  ids?: string[];
  limit: number;
  offset: number;
  sort_by: "thread_id" | "status" | "created_at" | "updated_at";
  sort_order: "asc" | "desc";
}
