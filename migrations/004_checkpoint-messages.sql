-- Up Migration
-- ThreadlineSaver (src/checkpoint): every LangChain message inside a checkpoint value or pending write is stored
-- here once per thread; checkpoint_blobs and checkpoint_writes (PostgresSaver's tables, created by its setup())
-- refer to messages by `ref`, a per-thread sequence, as ranges. A step that appends one message to the
-- conversation stores one message, so checkpoint storage grows with what was said rather than with its square.
-- Rows are append-only while a thread lives; deleteThread and keep_latest pruning remove them.
CREATE TABLE checkpoint_messages (
  thread_id text NOT NULL,
  ref integer NOT NULL,
  -- The serializer's type and bytes of one message, as PostgresSaver would have embedded it; type json+deflate1
  -- is that JSON compressed with a preset dictionary (src/checkpoint/message-compression.ts).
  type text NOT NULL,
  blob bytea NOT NULL,
  PRIMARY KEY (thread_id, ref)
);

-- Checkpoint retention: per thread, the checkpoint id below which intermediate checkpoints were already pruned,
-- so each sweep only looks at what was written since the previous one.
CREATE TABLE checkpoint_retention_marks (
  thread_id text PRIMARY KEY,
  pruned_before text NOT NULL,
  pruned_at timestamptz NOT NULL DEFAULT now()
);

-- Down Migration
DROP TABLE checkpoint_retention_marks;
DROP TABLE checkpoint_messages;
