import type { BaseMessage } from "@langchain/core/messages";

/** A message's serialised row: the serializer's type and bytes. */
export type MessageRow = [type: string, bytes: Uint8Array];

/** Where a message object is (being) stored, and what it looked like when serialised. */
interface StoredEntry {
  threadId: string;
  /** The thread's generation when stored (bumped when the thread's rows are deleted). */
  generation: number;
  fingerprint: unknown[];
  /** Its ref once the write holding its row committed; undefined while in flight. */
  ref?: number;
  /** In flight: resolves to the ref when the write commits, or undefined when it failed for good. */
  settled: Promise<number | undefined>;
  /** The row as serialised (messages in flight), for a later write to insert itself if the first write fails. */
  row?: Promise<MessageRow>;
}

/** What the index knows about a message object in a thread. */
export type StoredState =
  | { state: "stored"; ref: number }
  | { state: "in-flight"; settled: Promise<number | undefined>; row: Promise<MessageRow> }
  | { state: "unknown" };

/**
 * Remembers which message objects are already stored, so a step that appends one message to a list of fifty
 * serialises and writes one message, not fifty. Keyed by object identity (a WeakMap: entries die with the
 * messages). LangGraph writes a task's output (putWrites) and the next checkpoint (put) concurrently, so a
 * message may be "in flight": a later write then waits for that write and reuses its ref (or, if it failed,
 * inserts the row itself). A hit also requires the same top-level field values as when serialised
 * (`fingerprint`), so a message whose fields were reassigned in place — LangGraph's reducer does that to give a
 * message an id — is stored again. Nested in-place mutation of a message already in state (e.g. editing
 * `additional_kwargs.x`) is not detected; LangGraph state changes by returning new messages, not by mutation.
 */
export class StoredMessageIndex {
  private readonly entries = new WeakMap<object, StoredEntry>();

  /** What is known about `message` in the thread at `generation`, as it looks now. */
  lookup(message: BaseMessage, threadId: string, generation: number): StoredState {
    const entry = this.entries.get(message);
    if (!entry || entry.threadId !== threadId || entry.generation !== generation) return { state: "unknown" };
    if (!sameFingerprint(entry.fingerprint, fingerprintOf(message))) return { state: "unknown" };
    if (entry.ref !== undefined) return { state: "stored", ref: entry.ref };
    return entry.row ? { state: "in-flight", settled: entry.settled, row: entry.row } : { state: "unknown" };
  }

  /**
   * Record a message whose row a write is about to insert; `settled` resolves to its ref when that write commits
   * (or undefined if it fails). Call before the first await after serialising, with the fingerprint taken then.
   */
  track(message: BaseMessage, at: { threadId: string; generation: number; fingerprint: unknown[]; row: Promise<MessageRow>; settled: Promise<number | undefined> }): void {
    const entry: StoredEntry = { ...at };
    this.entries.set(message, entry);
    void at.settled.then((ref) => {
      if (ref !== undefined) entry.ref = ref;
      else if (this.entries.get(message) === entry) this.entries.delete(message);
    });
  }

  /** Record a message read back from the thread as `ref`. */
  remember(message: BaseMessage, at: { threadId: string; generation: number; ref: number }): void {
    this.entries.set(message, { ...at, fingerprint: fingerprintOf(message), settled: Promise.resolve(at.ref) });
  }
}

/**
 * What a message looks like to the serializer, cheaply: `Serializable.toJSON` writes every key of `lc_kwargs`,
 * taking the live property when there is one. Compared by identity, so this costs a few pointer comparisons.
 */
export function fingerprintOf(message: BaseMessage): unknown[] {
  const kwargs = (message as unknown as { lc_kwargs?: Record<string, unknown> }).lc_kwargs ?? {};
  const live = message as unknown as Record<string, unknown>;
  const fingerprint: unknown[] = [];
  for (const key of Object.keys(kwargs)) fingerprint.push(key, key in live ? live[key] : kwargs[key]);
  return fingerprint;
}

function sameFingerprint(left: unknown[], right: unknown[]): boolean {
  if (left.length !== right.length) return false;
  for (let index = 0; index < left.length; index += 1) if (left[index] !== right[index]) return false;
  return true;
}
