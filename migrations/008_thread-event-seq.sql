-- Up Migration
-- A thread's event counter gets a row of its own. On the threads row, every stored event (a token delta) waited
-- for whatever else held that row: a transcript append, a submission's lock, a run's finish. Seqs are still
-- allocated under a row lock held to commit, so they commit in seq order (the event bus relies on that).
CREATE TABLE thread_event_seqs (
  thread_id uuid PRIMARY KEY REFERENCES threads (thread_id) ON DELETE CASCADE,
  seq bigint NOT NULL DEFAULT 0
);
INSERT INTO thread_event_seqs (thread_id, seq) SELECT thread_id, event_seq FROM threads;
ALTER TABLE threads DROP COLUMN event_seq;

-- Down Migration
ALTER TABLE threads ADD COLUMN event_seq bigint NOT NULL DEFAULT 0;
UPDATE threads SET event_seq = thread_event_seqs.seq FROM thread_event_seqs WHERE thread_event_seqs.thread_id = threads.thread_id;
DROP TABLE thread_event_seqs;
