/** What to do with a stateless cron's thread once its run is over. */
export type OnRunCompleted = "delete" | "keep";

/** A cron schedule in LangGraph Platform's shape (`GET/POST /runs/crons…`). */
export interface Cron {
  cron_id: string;
  assistant_id: string;
  /** Null for a stateless cron: every firing runs on a new thread. */
  thread_id: string | null;
  user_id: string;
  schedule: string;
  /** IANA zone the schedule is read in; null means UTC. */
  timezone: string | null;
  /** What each firing submits (input, webhook, multitask_strategy, …). */
  payload: CronPayload;
  metadata: Record<string, unknown>;
  /** Stateless crons only: delete (default) or keep the run's thread afterwards. */
  on_run_completed: OnRunCompleted | null;
  enabled: boolean;
  end_time: string | null;
  /** The next firing; null once the schedule has ended. */
  next_run_date: string | null;
  created_at: string;
  updated_at: string;
}

/** The run request stored with a cron; extra LangGraph fields (config, stream_mode, …) are kept as sent. */
export interface CronPayload {
  assistant_id?: string;
  input?: { messages: { role: "user"; content: string }[]; values?: Record<string, unknown> } | null;
  webhook?: string;
  multitask_strategy?: "reject" | "enqueue" | "interrupt" | "rollback";
  [field: string]: unknown;
}

/** A cron row as Postgres returns it. */
export interface CronRow {
  cron_id: string;
  user_id: string;
  assistant_id: string;
  thread_id: string | null;
  schedule: string;
  timezone: string | null;
  payload: CronPayload;
  metadata: Record<string, unknown>;
  on_run_completed: OnRunCompleted | null;
  enabled: boolean;
  end_time: Date | null;
  next_run_date: Date | null;
  last_run_date: Date | null;
  created_at: Date;
  updated_at: Date;
}

/** The API shape of a stored cron. */
export function toCron(row: CronRow): Cron {
  return {
    cron_id: row.cron_id,
    assistant_id: row.assistant_id,
    thread_id: row.thread_id,
    user_id: row.user_id,
    schedule: row.schedule,
    timezone: row.timezone,
    payload: row.payload,
    metadata: row.metadata,
    on_run_completed: row.on_run_completed,
    enabled: row.enabled,
    end_time: row.end_time?.toISOString() ?? null,
    next_run_date: row.next_run_date?.toISOString() ?? null,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}
