-- Up Migration
-- A checkpoint write for a deleted thread must leave nothing behind. The check used to be a second query after
-- every write (~6 per turn). Now the write statement asks this function first: it takes a shared advisory lock
-- on the thread, then looks for the tombstone. Being VOLATILE, its query takes a fresh snapshot after the lock, so
-- it sees a tombstone committed while it waited. A deletion commits the tombstone, then deletes the rows in a
-- transaction that first takes the same lock exclusively (ThreadlineSaver.deleteThread): it waits for writes
-- already past the check, and its DELETEs then see their rows. Ids that are not uuids were never Threadline
-- threads and are never deleted (as in ThreadTombstones); NULL is let through so the insert fails as before.
CREATE FUNCTION threadline_checkpoint_write_allowed(thread text) RETURNS boolean
  LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  IF thread IS NULL OR thread !~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' THEN
    RETURN true;
  END IF;
  PERFORM pg_advisory_xact_lock_shared(hashtext('threadline_deletion:' || thread));
  RETURN NOT EXISTS (SELECT 1 FROM thread_tombstones WHERE thread_id = thread::uuid);
END
$$;

-- Down Migration
DROP FUNCTION threadline_checkpoint_write_allowed(text);
