-- Up Migration
-- Trigram search works for any script (Chinese included), unlike English full-text search alone.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- Assistants created through the API. The per-graph default assistants live in code, not here.
CREATE TABLE assistants (
  assistant_id uuid PRIMARY KEY,
  owner_id text NOT NULL,
  graph_id text NOT NULL,
  name text NOT NULL,
  description text,
  config jsonb NOT NULL DEFAULT '{}',
  context jsonb NOT NULL DEFAULT '{}',
  metadata jsonb NOT NULL DEFAULT '{}',
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX assistants_owner_updated ON assistants (owner_id, updated_at DESC);

-- Sessions: one LangGraph thread each, owned by one user.
CREATE TABLE threads (
  thread_id uuid PRIMARY KEY,
  user_id text NOT NULL,
  window_id text,
  assistant_id text NOT NULL,
  title text,
  status text NOT NULL DEFAULT 'idle' CHECK (status IN ('idle', 'busy', 'error', 'interrupted')),
  metadata jsonb NOT NULL DEFAULT '{}',
  -- Counters serialise per-thread sequence numbers under the row lock.
  event_seq bigint NOT NULL DEFAULT 0,
  message_seq bigint NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  last_activity_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX threads_user_window ON threads (user_id, window_id) WHERE window_id IS NOT NULL;
CREATE INDEX threads_user_activity ON threads (user_id, last_activity_at DESC, thread_id DESC);

CREATE TABLE runs (
  run_id uuid PRIMARY KEY,
  thread_id uuid NOT NULL REFERENCES threads (thread_id) ON DELETE CASCADE,
  user_id text NOT NULL,
  assistant_id text NOT NULL,
  status text NOT NULL DEFAULT 'pending'
    CHECK (status IN ('pending', 'running', 'success', 'error', 'interrupted', 'cancelled', 'timeout')),
  input jsonb NOT NULL DEFAULT '{}',
  client_message_id text,
  attempt integer NOT NULL DEFAULT 0,
  error jsonb,
  usage jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  started_at timestamptz,
  finished_at timestamptz
);
CREATE INDEX runs_thread_created ON runs (thread_id, created_at DESC);
CREATE UNIQUE INDEX runs_client_message ON runs (thread_id, client_message_id) WHERE client_message_id IS NOT NULL;

-- The append-only transcript: the conversation as the user saw it.
CREATE TABLE messages (
  thread_id uuid NOT NULL REFERENCES threads (thread_id) ON DELETE CASCADE,
  seq bigint NOT NULL,
  message_id text NOT NULL,
  run_id uuid,
  role text NOT NULL CHECK (role IN ('user', 'assistant', 'tool', 'system')),
  content text NOT NULL,
  tool_calls jsonb,
  tool_call_id text,
  name text,
  status text,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (thread_id, seq),
  UNIQUE (thread_id, message_id)
);

-- Per-thread event log; `seq` is what clients resume from.
CREATE TABLE thread_events (
  thread_id uuid NOT NULL REFERENCES threads (thread_id) ON DELETE CASCADE,
  seq bigint NOT NULL,
  run_id uuid,
  event text NOT NULL,
  data jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (thread_id, seq)
);

CREATE TABLE api_keys (
  key_id uuid PRIMARY KEY,
  user_id text NOT NULL,
  name text,
  key_prefix text NOT NULL,
  key_hash text NOT NULL UNIQUE,
  created_at timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz,
  revoked_at timestamptz
);
CREATE INDEX api_keys_user ON api_keys (user_id);

-- Per-user notes written and searched by the notes tools.
CREATE TABLE notes (
  note_id uuid PRIMARY KEY,
  user_id text NOT NULL,
  title text NOT NULL DEFAULT '',
  body text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX notes_user_created ON notes (user_id, created_at DESC);
CREATE INDEX notes_text_trgm ON notes USING gin ((title || ' ' || body) gin_trgm_ops);

-- Down Migration
DROP TABLE notes;
DROP TABLE api_keys;
DROP TABLE thread_events;
DROP TABLE messages;
DROP TABLE runs;
DROP TABLE threads;
DROP TABLE assistants;
