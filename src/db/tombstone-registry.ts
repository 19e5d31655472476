import type { Queryable } from "./database.js";

/** Where deleted thread ids are recorded (implemented by `ThreadTombstones` in src/jobs/lifecycle). */
export interface TombstoneRegistry {
  /** Whether the thread was deleted for good; `db`: ask on this client (inside the caller's transaction). */
  isDeleted(threadId: string, db?: Queryable): Promise<boolean>;
  /** Record the deletion; it is committed when the promise resolves. */
  markDeleted(threadIds: string[], reason: string): Promise<void>;
}
