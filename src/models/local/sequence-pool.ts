/** A borrowed item; release it exactly once (extra calls are ignored). */
export interface Lease<T> {
  item: T;
  release(): void;
}

/** Raised when the wait queue is full: the caller fails fast instead of piling up. */
export class PoolBusyError extends Error {
  override name = "PoolBusyError";
}

interface Waiter<T> {
  resolve: (lease: Lease<T>) => void;
  reject: (error: unknown) => void;
  signal?: AbortSignal;
  onAbort?: () => void;
}

/**
 * A fixed set of reusable items (the model's context sequences) lent out one caller at a time, with a bounded
 * first-in-first-out wait queue. Items are handed back most-recently-used first so a thread's next turn tends to
 * land on the sequence that still holds its prompt in the KV cache.
 */
export class SequencePool<T> {
  private readonly free: T[];
  private readonly waiters: Waiter<T>[] = [];
  private lent = 0;

  constructor(
    items: readonly T[],
    private readonly queueLimit: number,
  ) {
    if (items.length === 0) throw new Error("SequencePool needs at least one item");
    this.free = [...items];
  }

  /** Items lent out right now. */
  get busy(): number {
    return this.lent;
  }

  /** Callers waiting for an item. */
  get waiting(): number {
    return this.waiters.length;
  }

  /** Borrow an item, waiting in line when all are busy; the signal withdraws from the line. */
  acquire(signal?: AbortSignal): Promise<Lease<T>> {
    if (signal?.aborted) return Promise.reject(asError(signal.reason));
    const item = this.free.pop();
    if (item !== undefined) return Promise.resolve(this.lend(item));
    if (this.waiters.length >= this.queueLimit) {
      return Promise.reject(new PoolBusyError(`the embedded model is busy: ${this.lent} generating, ${this.waiters.length} waiting (LOCAL_MODEL_QUEUE_LIMIT)`));
    }
    return new Promise<Lease<T>>((resolve, reject) => {
      const waiter: Waiter<T> = { resolve, reject, signal };
      if (signal) {
        waiter.onAbort = () => {
          const index = this.waiters.indexOf(waiter);
          if (index >= 0) this.waiters.splice(index, 1);
          reject(asError(signal.reason));
        };
        signal.addEventListener("abort", waiter.onAbort, { once: true });
      }
      this.waiters.push(waiter);
    });
  }

  private lend(item: T): Lease<T> {
    this.lent += 1;
    let released = false;
    return {
      item,
      release: () => {
        if (released) return;
        released = true;
        this.lent -= 1;
        this.handBack(item);
      },
    };
  }

  private handBack(item: T): void {
    const next = this.waiters.shift();
    if (!next) {
      this.free.push(item);
      return;
    }
    if (next.onAbort) next.signal?.removeEventListener("abort", next.onAbort);
    next.resolve(this.lend(item));
  }
}

function asError(reason: unknown): Error {
  return reason instanceof Error ? reason : new Error(String(reason));
}
