-- Up Migration
-- Token deltas are only needed while their message streams: once it is complete (in the transcript, announced by
-- message.completed) they repeat it a few characters at a time, one row each, and would outgrow everything else a
-- long thread stores. The sweep deletes them after EVENT_DELTA_RETENTION_MINUTES. This partial index lists only
-- deltas, oldest first, so the sweep never scans the rest of the log; a compacted delta leaves it.
CREATE INDEX thread_events_deltas_by_age ON thread_events (created_at, thread_id, seq) WHERE event = 'message.delta';

-- How far the sweep got, as a position in that index: deltas at or before it were looked at once. Those whose
-- message never completed (a cancelled reply) stay, and are not looked at again.
CREATE TABLE delta_compaction_mark (
  singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  created_at timestamptz NOT NULL,
  thread_id uuid NOT NULL,
  seq bigint NOT NULL
);
INSERT INTO delta_compaction_mark (created_at, thread_id, seq) VALUES ('-infinity', '00000000-0000-0000-0000-000000000000', 0);

-- Down Migration
DROP TABLE delta_compaction_mark;
DROP INDEX thread_events_deltas_by_age;
