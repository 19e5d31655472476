-- Up Migration
-- A tool result whose call a human edited before approving it records the arguments the tool ran with: the
-- assistant row keeps the model's call as it was said, and a page loaded later must still show what ran.
ALTER TABLE messages ADD COLUMN args jsonb;

-- Down Migration
ALTER TABLE messages DROP COLUMN args;
