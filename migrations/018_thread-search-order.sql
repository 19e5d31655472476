-- Up Migration
-- LangGraph's thread search sorts one user's threads by updated_at by default (newest first, then thread_id):
-- without this index Postgres read every thread of the user and sorted them for each page. Scanned forwards for
-- desc, backwards for asc, it yields a page in order and stops at the page's end (`SessionStore.search`).
CREATE INDEX threads_user_updated ON threads (user_id, updated_at DESC, thread_id DESC);

-- Down Migration
DROP INDEX threads_user_updated;
