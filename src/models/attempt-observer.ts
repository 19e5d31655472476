import { AsyncLocalStorage } from "node:async_hooks";

/** Told of each failed attempt of the provider call it observes (see `observeAttempts`). */
export interface AttemptObserver {
  /** An attempt failed (`error`, with p-retry's `attemptNumber` and, for a 429, `retryAfterMs`); it may be retried. */
  failed(error: Error): void;
  /** The call waits for capacity (the embedded model's queue) and is not silent: the timeout pauses until `done`. */
  queued?(done: Promise<unknown>): void;
}

const observers = new AsyncLocalStorage<AttemptObserver>();

/**
 * Run `work` (a provider call, or a step of its stream) so that its failed attempts reach `observer`: provider
 * retries run inside LangChain's AsyncCaller, out of the caller's sight, and the caller's inactivity timeout must
 * not count the waits between them, nor hide the error that caused them.
 */
export function observeAttempts<T>(observer: AttemptObserver, work: () => T): T {
  return observers.run(observer, work);
}

/** Report a failed attempt to the call observing it, if any (the retry policy calls this for every failure). */
export function reportFailedAttempt(error: Error): void {
  observers.getStore()?.failed(error);
}

/**
 * Tell the observing call that `done` is a wait for capacity (a free sequence of the embedded model), not silence:
 * its inactivity timeout starts over when the wait ends.
 */
export function reportQueued(done: Promise<unknown>): void {
  observers.getStore()?.queued?.(done);
}
