import type { Checkpoint, CheckpointMetadata, CheckpointTuple } from "@langchain/langgraph-checkpoint";

/**
 * A checkpoint this process wrote: what its row stores, and the values as the graph held them. Kept as given to
 * the write (the put's own objects, which LangGraph does not touch again); turned into a tuple only when used.
 */
export interface RecentCheckpoint {
  id: string;
  /** The checkpoint column as written (the checkpoint without its values). */
  stored: unknown;
  values: Record<string, unknown>;
  /** The metadata column as written (the serializer's JSON), loaded again on use like a read from the table. */
  storedMetadata: unknown;
  parentId: string | undefined;
}

/**
 * The newest root checkpoint each thread's runs wrote in this process, so the next run on the thread can start from
 * it without reading it back (a read costs a round trip, the transfer and reviving every message: ~4 ms a turn
 * here). Used only when the caller knows, from its claim under the thread's lock, that this very checkpoint is the
 * thread's latest and that nothing is pending on it (`SAVER_LATEST_KNOWN_KEY`); an entry is handed out once, then
 * forgotten. Bounded: the least recently written threads are dropped first (a thread's state is its working context,
 * tens to hundreds of kB).
 */
export class RecentCheckpoints {
  private readonly entries = new Map<string, RecentCheckpoint>();
  /** Per thread, the last checkpoint pending writes were stored on (writes may land while its own put is in flight). */
  private readonly written = new Map<string, string>();

  /** @param capacity threads kept at most; 0 keeps none. */
  constructor(private readonly capacity: number) {}

  /** Remember the checkpoint just written for the thread (replacing what was there), unless writes are pending on it. */
  remember(threadId: string, entry: RecentCheckpoint): void {
    this.entries.delete(threadId);
    if (this.capacity <= 0 || this.written.get(threadId) === entry.id) return;
    this.entries.set(threadId, entry);
    for (const oldest of this.entries.keys()) {
      if (this.entries.size <= this.capacity) break;
      this.entries.delete(oldest);
      this.written.delete(oldest);
    }
  }

  /** Pending writes were stored on the thread's `checkpointId`: the entry would not show them. */
  writesOn(threadId: string, checkpointId: string | undefined): void {
    this.entries.delete(threadId);
    if (!checkpointId || this.capacity <= 0) return;
    this.written.delete(threadId);
    this.written.set(threadId, checkpointId);
    // Only a put still in flight needs the mark: the oldest ones can go.
    for (const oldest of this.written.keys()) {
      if (this.written.size <= this.capacity) break;
      this.written.delete(oldest);
    }
  }

  /** The thread's entry if it is `checkpointId`; the thread's entry is forgotten either way. */
  take(threadId: string, checkpointId: string): RecentCheckpoint | undefined {
    const entry = this.entries.get(threadId);
    this.forget(threadId);
    return entry?.id === checkpointId ? entry : undefined;
  }

  /** Forget the thread (its rows changed in a way an entry would not show). */
  forget(threadId: string): void {
    this.entries.delete(threadId);
    this.written.delete(threadId);
  }
}

/** The tuple a read of `entry` from the table would give (`loadMetadata` revives the stored metadata). */
export async function recentTuple(
  at: { threadId: string; namespace: string },
  entry: RecentCheckpoint,
  loadMetadata: (metadata: Record<string, unknown>) => Promise<CheckpointMetadata>,
): Promise<CheckpointTuple> {
  const { threadId, namespace } = at;
  const checkpoint = asRead(entry);
  return {
    config: { configurable: { thread_id: threadId, checkpoint_ns: namespace, checkpoint_id: checkpoint.id } },
    checkpoint,
    metadata: await loadMetadata(entry.storedMetadata as Record<string, unknown>),
    parentConfig: entry.parentId ? { configurable: { thread_id: threadId, checkpoint_ns: namespace, checkpoint_id: entry.parentId } } : undefined,
    pendingWrites: [],
  };
}

/**
 * The checkpoint as a read of its row gives it back: the stored JSON (as the database returns it) with the values
 * of the channels that have a version (a read looks values up by version: a channel never written, such as an
 * unused `__pregel_tasks: []`, is absent).
 */
function asRead(entry: RecentCheckpoint): Checkpoint {
  const stored = JSON.parse(JSON.stringify(entry.stored)) as Checkpoint;
  const versions = stored.channel_versions ?? {};
  const values = Object.fromEntries(Object.entries(entry.values).filter(([channel]) => channel in versions));
  return { ...stored, channel_versions: versions, versions_seen: stored.versions_seen ?? {}, channel_values: values };
}
