-- Up Migration
-- `interrupted` (LangGraph's thread status: the graph stopped with nodes still to run) covers two things a user must
-- tell apart: a question or breakpoint waiting for a human, and a run stopped by `run.cancel {action: "interrupt"}`
-- that asks nothing. The flag says which; it is kept by every statement that sets the status. Threads interrupted
-- before this migration are taken to wait for a human (what the web page showed of them until now).
ALTER TABLE threads ADD COLUMN awaiting_human boolean NOT NULL DEFAULT false;
UPDATE threads SET awaiting_human = true WHERE status = 'interrupted';

-- Down Migration
ALTER TABLE threads DROP COLUMN awaiting_human;
