import { AsyncLocalStorage } from "node:async_hooks";

/** Told of each failed attempt of the provider call it observes (see `observeAttempts`). */
export interface AttemptObserver {
  /** An attempt failed (`error`, with p-retry's `attemptNumber` and, for a 429, `retryAfterMs`); it may be retried. */
  failed(error: Error): void;
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
