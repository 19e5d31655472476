-- Up Migration
-- Cron schedules. A thread cron (thread_id set) runs on its thread; a stateless cron (thread_id null) creates a
-- new thread for the assistant at every firing. pg-boss (schema `pgboss`, created by the job runner) fires them.
CREATE TABLE crons (
  cron_id uuid PRIMARY KEY,
  user_id text NOT NULL,
  assistant_id text NOT NULL,
  thread_id uuid REFERENCES threads (thread_id) ON DELETE CASCADE,
  schedule text NOT NULL,
  -- IANA zone the schedule is read in; NULL reads it in UTC (LangGraph Platform's default).
  timezone text,
  -- What each firing submits: input, metadata, webhook, multitask_strategy (and any LangGraph fields, kept as sent).
  payload jsonb NOT NULL DEFAULT '{}',
  metadata jsonb NOT NULL DEFAULT '{}',
  on_run_completed text CHECK (on_run_completed IN ('delete', 'keep')),
  enabled boolean NOT NULL DEFAULT true,
  end_time timestamptz,
  -- The firing that is due next; NULL once the schedule is over (end_time passed). The fire job checks it, so a
  -- firing runs at most once however many times it was enqueued.
  next_run_date timestamptz,
  last_run_date timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX crons_user_created ON crons (user_id, created_at DESC, cron_id DESC);
CREATE INDEX crons_due ON crons (next_run_date) WHERE enabled AND next_run_date IS NOT NULL;
CREATE INDEX crons_thread ON crons (thread_id) WHERE thread_id IS NOT NULL;

-- Per-thread TTL (LangGraph's `ttl: {strategy, ttl}` on thread create). A row with NULL strategy and ttl only
-- records `swept_at` for a thread under the default TTL, so keep_latest is not re-applied until new activity.
CREATE TABLE thread_ttls (
  thread_id uuid PRIMARY KEY REFERENCES threads (thread_id) ON DELETE CASCADE,
  strategy text CHECK (strategy IN ('delete', 'keep_latest')),
  ttl_minutes numeric CHECK (ttl_minutes > 0),
  swept_at timestamptz,
  CHECK ((strategy IS NULL) = (ttl_minutes IS NULL))
);
-- The sweeper walks threads by idleness; without this it would scan the whole table.
CREATE INDEX threads_last_activity ON threads (last_activity_at, thread_id);

-- Deleted thread ids. A step still running when its thread is deleted may write a checkpoint afterwards; the
-- checkpointer (src/db/tombstone-aware-saver.ts) drops such writes. Kept forever: a row is ~50 bytes.
CREATE TABLE thread_tombstones (
  thread_id uuid PRIMARY KEY,
  deleted_at timestamptz NOT NULL DEFAULT now(),
  reason text NOT NULL DEFAULT 'deleted'
);

-- One row per webhook delivery attempt (the job queue retries; this is the audit trail).
CREATE TABLE webhook_attempts (
  attempt_id bigserial PRIMARY KEY,
  run_id uuid NOT NULL,
  thread_id uuid,
  url text NOT NULL,
  attempt integer NOT NULL,
  status_code integer,
  error text,
  duration_ms integer NOT NULL,
  outcome text NOT NULL CHECK (outcome IN ('delivered', 'retrying', 'gave_up')),
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX webhook_attempts_run ON webhook_attempts (run_id, attempt_id);
CREATE INDEX webhook_attempts_created ON webhook_attempts (created_at);

-- Down Migration
DROP TABLE webhook_attempts;
DROP TABLE thread_tombstones;
DROP INDEX threads_last_activity;
DROP TABLE thread_ttls;
DROP TABLE crons;
