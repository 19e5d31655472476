-- Up Migration
-- LangGraph's long-term store (BaseStore: namespace, key, value), shared by every thread of one user. The owner is a
-- column of its own, never a namespace label: every statement names it, so a namespace a client sends can never
-- reach another user's items, and nothing has to be stripped from what is listed. The namespace is an array, so
-- prefixes and suffixes match whole labels (["user"] is not a prefix of ["users"]).
CREATE TABLE store_items (
  owner_id text NOT NULL,
  namespace text[] NOT NULL CHECK (cardinality(namespace) > 0),
  key text NOT NULL,
  value jsonb NOT NULL CHECK (jsonb_typeof(value) = 'object'),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  -- The item's TTL in minutes (null: it never expires) and when it expires; a read may push expires_at back.
  ttl_minutes double precision CHECK (ttl_minutes > 0),
  expires_at timestamptz,
  PRIMARY KEY (owner_id, namespace, key)
);

-- The lifecycle sweep deletes expired items; reads already skip them.
CREATE INDEX store_items_expiry ON store_items (expires_at) WHERE expires_at IS NOT NULL;

-- Down Migration
DROP TABLE store_items;
