-- Up Migration
-- Every version of an assistant (LangGraph Platform's assistant versions): each create and update stores the whole
-- assistant as a new version in the statement that writes the assistant, and `setLatest` copies an older version
-- back onto the assistant row, which stays what runs and reads use. Versions go with their assistant.
CREATE TABLE assistant_versions (
  assistant_id uuid NOT NULL REFERENCES assistants (assistant_id) ON DELETE CASCADE,
  version integer NOT NULL CHECK (version > 0),
  graph_id text NOT NULL,
  name text NOT NULL,
  description text,
  config jsonb NOT NULL DEFAULT '{}',
  context jsonb NOT NULL DEFAULT '{}',
  metadata jsonb NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (assistant_id, version)
);

-- The highest version number given so far. `version` is the current one, which setLatest can move back; an update
-- takes the number after this counter, raised in the updating statement itself: concurrent updates serialise on the
-- row lock and re-read the counter, so two of them never pick the same number.
ALTER TABLE assistants ADD COLUMN last_version integer NOT NULL DEFAULT 1;
UPDATE assistants SET last_version = version;
ALTER TABLE assistants ADD CONSTRAINT assistants_version_given CHECK (version BETWEEN 1 AND last_version);

-- Existing assistants kept only their current state: it becomes their current version, dated when it was written.
-- Their earlier versions were overwritten in place and cannot be listed.
INSERT INTO assistant_versions (assistant_id, version, graph_id, name, description, config, context, metadata, created_at)
SELECT assistant_id, version, graph_id, name, description, config, context, metadata, updated_at FROM assistants;

-- Down Migration
DROP TABLE assistant_versions;
ALTER TABLE assistants DROP CONSTRAINT assistants_version_given;
ALTER TABLE assistants DROP COLUMN last_version;
