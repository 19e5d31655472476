import type { EventBus } from "./event-bus.js";
import type { ThreadEvent } from "./thread-event.js";
import { type ThreadDeletedNotice, threadDeletedNotice } from "./thread-deleted-notice.js";

/** Stored events of a thread after `since`, oldest first, at most `limit` (one page). */
export type StoredEventSource = (since: number, limit: number) => Promise<ThreadEvent[]>;

/** What to follow and where events go. */
export interface ReplayThenLiveOptions {
  bus: Pick<EventBus, "subscribe" | "ready">;
  threadId: string;
  /** Replay stored events with seq greater than this, then continue live. */
  since: number;
  /** Where stored events come from (the whole thread, or one run's events). */
  replay: StoredEventSource;
  /** Called once per event in seq order, never concurrently (the next call waits for this one). */
  onEvent: (event: ThreadEvent) => Promise<void> | void;
  /** Called once if replaying or `onEvent` fails; nothing is delivered after it. */
  onError: (error: unknown) => void;
  /**
   * Called once, after every event delivered before it, when the thread is deleted (its seq past every event sent);
   * the subscription has then stopped.
   */
  onDeleted?: (notice: ThreadDeletedNotice) => void;
  /**
   * Whether the thread is still there, asked once the live subscription is registered: a delete that committed
   * before the caller's own check and the subscription would never reach it (false: `onDeleted` at once).
   */
  exists?: () => Promise<boolean>;
  /** Page size of the replay. @default 1000 */
  pageSize?: number;
}

/** A running replay-then-live subscription. */
export interface LiveSubscription {
  /** Stop receiving events (idempotent). */
  stop(): void;
}

/**
 * Replay a thread's stored events after `since`, then continue with live ones — no gap, no duplicate. The
 * bus subscription starts first and holds live events back while the log is read; since every event is
 * stored before it is published, whatever the read misses arrives live, and anything seen twice is dropped
 * by seq. The same idea as the WebSocket `subscription.subscribe`, shared here by the SSE streams.
 */
export function replayThenLive(options: ReplayThenLiveOptions): LiveSubscription {
  const pageSize = options.pageSize ?? 1000;
  let lastSeq = options.since;
  let stopped = false;
  let held: ThreadEvent[] | undefined = [];
  let chain: Promise<void> = Promise.resolve();

  const fail = (error: unknown) => {
    if (stopped) return;
    subscription.stop();
    options.onError(error);
  };
  const enqueue = (event: ThreadEvent) => {
    chain = chain
      .then(async () => {
        if (stopped || event.seq <= lastSeq) return;
        lastSeq = event.seq;
        await options.onEvent(event);
      })
      .catch(fail);
  };
  const unsubscribe = options.bus.subscribe(
    options.threadId,
    (event) => {
      if (held) held.push(event);
      else enqueue(event);
    },
    (notice) => end(notice),
  );
  // After the events already queued (a replay's pages too), then nothing more: the thread is gone.
  function end(notice: ThreadDeletedNotice): void {
    held = undefined;
    chain = chain
      .then(() => {
        if (stopped) return;
        subscription.stop();
        options.onDeleted?.({ ...notice, seq: Math.max(notice.seq, lastSeq + 1) });
      })
      .catch(fail);
  }
  const subscription: LiveSubscription = {
    stop() {
      if (stopped) return;
      stopped = true;
      unsubscribe();
    },
  };

  const replayStored = async () => {
    await options.bus.ready(options.threadId);
    if (options.exists && !(await options.exists())) {
      end(threadDeletedNotice(options.threadId, lastSeq));
      return;
    }
    for (let cursor = options.since; ; ) {
      const page = await options.replay(cursor, pageSize);
      for (const event of page) enqueue(event);
      const last = page.at(-1);
      if (page.length < pageSize || !last) break;
      cursor = last.seq;
    }
    const pending = held ?? [];
    held = undefined;
    for (const event of pending) enqueue(event);
  };
  replayStored().catch(fail);
  return subscription;
}
