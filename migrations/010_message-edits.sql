-- Up Migration
-- A state edit that replaces a message under its id (same id, new content) revises its transcript row in place:
-- same seq, so the conversation keeps its order, and search finds what the message says now. edited_at marks it.
ALTER TABLE messages ADD COLUMN edited_at timestamptz;

-- Down Migration
ALTER TABLE messages DROP COLUMN edited_at;
