/** Per-thread state of the ref sequence in this process. */
interface ThreadCounter {
  /** Distinguishes this thread's rows before and after a deletion (see `StoredMessageIndex`). */
  generation: number;
  /** The next ref to hand out, once known. */
  next?: number;
  loading?: Promise<number>;
}

/** How many threads' counters one process keeps; the least recently used are forgotten beyond it. */
const MAX_THREADS = 10_000;

/**
 * Hands out message refs: a per-thread sequence 1, 2, 3…, so a thread's messages are numbered in the order they
 * were first stored and a list of them compresses to a few ranges. The next free ref is read from Postgres once
 * per thread and then counted here; reservations are synchronous once it is known, so concurrent writes of one
 * thread in this process never collide. Another process writing the same thread can make a reservation stale:
 * the insert then fails on the primary key and the caller calls `forget` and retries.
 */
export class MessageRefCounters {
  private readonly threads = new Map<string, ThreadCounter>();
  private nextGeneration = 1;

  /** The current generation of the thread's rows in this process. */
  generation(threadId: string): number {
    return this.counter(threadId).generation;
  }

  /** Reserve `count` consecutive refs; `loadMax` reads the highest stored ref when the counter is unknown. */
  async reserve(threadId: string, count: number, loadMax: () => Promise<number>): Promise<number> {
    const counter = this.counter(threadId);
    if (counter.next === undefined) {
      counter.loading ??= loadMax().finally(() => (counter.loading = undefined));
      const max = await counter.loading;
      counter.next = Math.max(counter.next ?? 0, max + 1);
    }
    const first = counter.next;
    counter.next += count;
    return first;
  }

  /** A read saw `maxRef` as the thread's highest stored ref: never hand out one at or below it. */
  observe(threadId: string, maxRef: number): void {
    const counter = this.counter(threadId);
    counter.next = Math.max(counter.next ?? 0, maxRef + 1);
  }

  /** The counter went stale (another process wrote the thread): read it from Postgres again next time. */
  forget(threadId: string): void {
    const counter = this.threads.get(threadId);
    if (counter) counter.next = undefined;
  }

  /** The thread's rows were deleted: refs remembered for its messages no longer exist. */
  reset(threadId: string): void {
    this.threads.delete(threadId);
  }

  private counter(threadId: string): ThreadCounter {
    let counter = this.threads.get(threadId);
    if (counter) {
      // Re-insert to mark it recently used (a Map iterates in insertion order).
      this.threads.delete(threadId);
    } else {
      counter = { generation: this.nextGeneration++ };
      if (this.threads.size >= MAX_THREADS) this.forgetOldest();
    }
    this.threads.set(threadId, counter);
    return counter;
  }

  private forgetOldest(): void {
    const oldest = this.threads.keys().next();
    if (!oldest.done) this.threads.delete(oldest.value);
  }
}
