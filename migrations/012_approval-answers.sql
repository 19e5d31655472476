-- Up Migration
-- An answer whose resume run ended before it took effect (cancelled or failed while the approved tool ran) leaves
-- the question pending: the user must be able to answer it again. Earlier answers stay on record, superseded; at
-- most one answer per interrupt is in effect.
ALTER TABLE approvals ADD COLUMN superseded_at timestamptz;
ALTER TABLE approvals DROP CONSTRAINT approvals_thread_id_interrupt_id_key;
CREATE UNIQUE INDEX approvals_answer_in_effect ON approvals (thread_id, interrupt_id) WHERE superseded_at IS NULL;

-- Down Migration
DROP INDEX approvals_answer_in_effect;
DELETE FROM approvals WHERE superseded_at IS NOT NULL;
ALTER TABLE approvals ADD CONSTRAINT approvals_thread_id_interrupt_id_key UNIQUE (thread_id, interrupt_id);
ALTER TABLE approvals DROP COLUMN superseded_at;
