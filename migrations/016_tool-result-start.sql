-- Up Migration
-- A tool result records when its tool started (its tool.started): the call's duration is then known to a page
-- loaded later, also for a call that waited for a human (the request's time would count the wait).
ALTER TABLE messages ADD COLUMN started_at timestamptz;

-- Down Migration
ALTER TABLE messages DROP COLUMN started_at;
