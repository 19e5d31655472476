/**
 * The notice that a thread was deleted, pushed once to each of its subscribers and never stored: deleting a thread
 * removes its event log, so there is nothing to replay it from. It has the shape of a stored event so clients read
 * it like one; its seq is one past the last event the thread's subscribers here could have received, so a client
 * that applies events by seq takes it (a deleted thread's id is never reused, so that seq never names another event).
 */
export interface ThreadDeletedNotice {
  event: "thread.deleted";
  thread_id: string;
  run_id: null;
  seq: number;
  data: { thread_id: string };
  created_at: string;
}

/** Receives a thread's deletion notice; the subscription it was given with has ended. */
export type ThreadDeletedListener = (notice: ThreadDeletedNotice) => void;

/** The notice for a deleted thread whose last delivered seq was `lastSeq`. */
export function threadDeletedNotice(threadId: string, lastSeq: number): ThreadDeletedNotice {
  return { event: "thread.deleted", thread_id: threadId, run_id: null, seq: lastSeq + 1, data: { thread_id: threadId }, created_at: new Date().toISOString() };
}
