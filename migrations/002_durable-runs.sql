-- Up Migration
-- Runs become durable work items: leases for single execution across instances, strategies, scheduling.
ALTER TABLE runs
  ADD COLUMN kind text NOT NULL DEFAULT 'chat' CHECK (kind IN ('chat', 'resume', 'replay', 'background')),
  ADD COLUMN command jsonb,
  ADD COLUMN checkpoint_id text,
  ADD COLUMN metadata jsonb NOT NULL DEFAULT '{}',
  ADD COLUMN multitask_strategy text NOT NULL DEFAULT 'enqueue'
    CHECK (multitask_strategy IN ('reject', 'enqueue', 'interrupt', 'rollback')),
  ADD COLUMN webhook text,
  ADD COLUMN available_at timestamptz NOT NULL DEFAULT now(),
  ADD COLUMN lease_owner text,
  ADD COLUMN lease_expires_at timestamptz,
  ADD COLUMN cancel_requested text CHECK (cancel_requested IN ('cancel', 'interrupt', 'rollback')),
  -- The checkpoint the run started from, so a rollback can branch from it.
  ADD COLUMN before_checkpoint_id text,
  ADD COLUMN max_attempts integer NOT NULL DEFAULT 3;

CREATE INDEX runs_thread_pending ON runs (thread_id, created_at) WHERE status = 'pending';
CREATE INDEX runs_due ON runs (available_at) WHERE status = 'pending';
CREATE INDEX runs_leased ON runs (lease_expires_at) WHERE status = 'running';
-- At most one executing run per thread, whatever instance claims it.
CREATE UNIQUE INDEX runs_one_running_per_thread ON runs (thread_id) WHERE status = 'running';

-- Human-in-the-loop decisions, one row per answered interrupt.
CREATE TABLE approvals (
  approval_id uuid PRIMARY KEY,
  thread_id uuid NOT NULL REFERENCES threads (thread_id) ON DELETE CASCADE,
  interrupted_run_id uuid,
  resume_run_id uuid,
  interrupt_id text NOT NULL,
  tool_call_id text,
  tool_name text,
  args jsonb,
  decision text NOT NULL CHECK (decision IN ('approve', 'reject', 'edit')),
  edited_args jsonb,
  reason text,
  user_id text NOT NULL,
  decided_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (thread_id, interrupt_id)
);

-- The side-effect target of send_email: written only after a human approved the call.
CREATE TABLE outbox (
  email_id uuid PRIMARY KEY,
  user_id text NOT NULL,
  thread_id uuid,
  run_id uuid,
  tool_call_id text,
  to_address text NOT NULL,
  subject text NOT NULL,
  body text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (run_id, tool_call_id)
);

-- Down Migration
DROP TABLE outbox;
DROP TABLE approvals;
DROP INDEX runs_one_running_per_thread;
DROP INDEX runs_leased;
DROP INDEX runs_due;
DROP INDEX runs_thread_pending;
ALTER TABLE runs DROP COLUMN kind, DROP COLUMN command, DROP COLUMN checkpoint_id, DROP COLUMN metadata,
  DROP COLUMN multitask_strategy, DROP COLUMN webhook, DROP COLUMN available_at, DROP COLUMN lease_owner,
  DROP COLUMN lease_expires_at, DROP COLUMN cancel_requested, DROP COLUMN before_checkpoint_id, DROP COLUMN max_attempts;
