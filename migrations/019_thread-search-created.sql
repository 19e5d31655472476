-- Up Migration
-- Thread search sorted by created_at (the SDK's `threads.search({sortBy: "created_at"})`, newest or oldest first)
-- read every thread of the user and sorted them for each page, as updated_at did before 018; the same shape of index.
CREATE INDEX threads_user_created ON threads (user_id, created_at DESC, thread_id DESC);

-- Down Migration
DROP INDEX threads_user_created;
