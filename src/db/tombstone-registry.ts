/** Where deleted thread ids are recorded (implemented by `ThreadTombstones` in src/jobs/lifecycle). */
export interface TombstoneRegistry {
  /** Whether the thread was deleted for good. */
  isDeleted(threadId: string): Promise<boolean>;
  /** Record the deletion; it is committed when the promise resolves. */
  markDeleted(threadIds: string[], reason: string): Promise<void>;
}
