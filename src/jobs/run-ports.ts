/** A run submission, as the run core's `runs.submit` takes it. */
export interface SubmitRunRequest {
  thread_id: string;
  assistant_id?: string;
  input?: { messages: { role: "user"; content: string }[]; values?: Record<string, unknown> } | null;
  command?: { resume?: unknown };
  multitask_strategy?: "reject" | "enqueue" | "interrupt" | "rollback";
  metadata?: Record<string, unknown>;
  webhook?: string;
  after_seconds?: number;
  checkpoint_id?: string;
  client_message_id?: string;
  /** The run's own assistant-setting overrides, its graph's own `configurable` keys and its recursion limit. */
  config?: { settings?: Record<string, unknown>; configurable?: Record<string, unknown>; recursion_limit?: number };
  /** Static breakpoints: node names of the assistant's graph, or "*". */
  interrupt_before?: "*" | string[];
  interrupt_after?: "*" | string[];
  /** Cron firings submit `background` runs. */
  kind?: "chat" | "resume" | "replay" | "background";
}

/** What jobs need from the run core: submit a run (idempotent per `client_message_id`). */
export interface RunSubmitter {
  submit(userId: string, request: SubmitRunRequest): Promise<{ run: { run_id: string; thread_id: string }; duplicate: boolean }>;
  /** Refuse (400) what `submit` would refuse about the request's settings and breakpoints, before it is stored. */
  check?(userId: string, request: Pick<SubmitRunRequest, "config" | "interrupt_before" | "interrupt_after" | "input"> & { assistant_id: string }): Promise<void>;
}

/** What jobs need from sessions: read, create with a chosen id, and delete a user's thread. */
export interface ThreadPort {
  get(userId: string, threadId: string): Promise<{ thread_id: string; assistant_id: string }>;
  /** Create with this id; null when a thread with the id exists already. */
  createWithId(userId: string, params: { thread_id: string; assistant_id?: string; metadata?: Record<string, unknown>; title?: string }): Promise<unknown>;
  delete(userId: string, threadId: string): Promise<void>;
}

/** What jobs need from assistants: resolve an id or graph name the user may use. */
export interface AssistantPort {
  get(userId: string, assistantId: string): Promise<{ assistant_id: string }>;
}
