import type { EventLog } from "./event-log.js";
import type { ThreadEvent } from "./thread-event.js";
import { type ThreadDeletedListener, threadDeletedNotice } from "./thread-deleted-notice.js";

/** Receives a thread's events in seq order. */
export type ThreadEventListener = (event: ThreadEvent) => void;

interface ThreadChannel {
  listeners: Set<ThreadEventListener>;
  /** Told when the thread is deleted; keyed by the event listener they were subscribed with. */
  deletedListeners: Map<ThreadEventListener, ThreadDeletedListener>;
  /** Highest seq delivered to this thread's listeners; undefined until the first delivery. */
  delivered: number | undefined;
  /** Deliveries of one thread run one after another, so order holds even when a gap must be fetched. */
  chain: Promise<void>;
  /** Settles once `delivered` holds the thread's last stored seq as of the channel's creation. */
  baseline: Promise<void>;
}

/**
 * Fan-out of a thread's stored events to every local subscriber (all windows, all transports), in seq order,
 * with no gap and no duplicate — whether events come from a run on this instance (`publish`) or on another
 * one (`publishRemote`, fed by Postgres LISTEN/NOTIFY). A gap is filled from the event log.
 */
export class EventBus {
  private readonly threads = new Map<string, ThreadChannel>();
  /** Channels of deleted threads whose notice is still on its way (`settled` waits for them too). */
  private readonly ending = new Set<ThreadChannel>();

  constructor(private readonly log: Pick<EventLog, "listSince" | "lastSeq">) {}

  /**
   * Listen to one thread; returns the unsubscribe function. Callers that then read stored state (a replay, a
   * run's status) must first await `ready`, so that whatever they read is older than the bus's baseline.
   * `onDeleted` is told, after every event delivered before it, when the thread is deleted; the subscription
   * has then ended.
   */
  subscribe(threadId: string, listener: ThreadEventListener, onDeleted?: ThreadDeletedListener): () => void {
    const channel = this.threads.get(threadId) ?? this.openChannel(threadId);
    channel.listeners.add(listener);
    if (onDeleted) channel.deletedListeners.set(listener, onDeleted);
    return () => {
      // The channel it joined: a deleted thread's channel is no longer in the map, yet its notice may be pending.
      channel.listeners.delete(listener);
      channel.deletedListeners.delete(listener);
      if (channel.listeners.size === 0 && this.threads.get(threadId) === channel) this.threads.delete(threadId);
    };
  }

  /**
   * The thread was deleted (here or, through the cluster notifier, on another instance), and that delete has
   * committed: after what is already on its way, every subscriber here gets the notice, and the subscriptions end.
   */
  announceDeleted(threadId: string): void {
    const channel = this.threads.get(threadId);
    if (!channel) return;
    this.threads.delete(threadId);
    this.ending.add(channel);
    const tell = () => {
      this.ending.delete(channel);
      const notice = threadDeletedNotice(threadId, channel.delivered ?? 0);
      const told = [...channel.deletedListeners.values()];
      channel.listeners.clear();
      channel.deletedListeners.clear();
      for (const onDeleted of told) {
        try {
          onDeleted(notice);
        } catch {
          // As for events: a listener's failure is its own business.
        }
      }
    };
    // Told even when an earlier delivery failed: the subscribers must not wait on a thread that is gone.
    channel.chain = channel.chain.then(tell, tell);
  }

  /**
   * Settles once a subscribed thread's live events are sequenced against the log (see `subscribe`), with the
   * seq after which every event reaches the thread's listeners (0 when nobody here listens to it).
   */
  async ready(threadId: string): Promise<number> {
    const channel = this.threads.get(threadId);
    await channel?.baseline;
    return channel?.delivered ?? 0;
  }

  /** Whether anyone here listens to a thread. */
  hasListeners(threadId: string): boolean {
    return (this.threads.get(threadId)?.listeners.size ?? 0) > 0;
  }

  /** Deliver events stored by this instance. */
  publish(events: ThreadEvent[]): void {
    for (const [threadId, threadEvents] of groupByThread(events)) {
      const channel = this.threads.get(threadId);
      if (!channel) continue;
      channel.chain = channel.chain.then(() => this.deliver(channel, threadId, threadEvents));
    }
  }

  /** Another instance stored events up to `toSeq` (from `fromSeq`): fetch and deliver what is missing here. */
  publishRemote(threadId: string, range: { fromSeq: number; toSeq: number }): void {
    const channel = this.threads.get(threadId);
    if (!channel) return;
    channel.chain = channel.chain.then(async () => {
      const after = channel.delivered ?? range.fromSeq - 1;
      if (range.toSeq <= after) return;
      await this.deliver(channel, threadId, await this.log.listSince(threadId, after));
    });
  }

  /**
   * Deliver, for every thread listened to here, what the log holds past what was delivered: after the cluster
   * listener was down (its connection lost), other instances' events were announced to no one here.
   */
  catchUpAll(): void {
    for (const [threadId, channel] of this.threads) {
      channel.chain = channel.chain.then(async () => {
        if (channel.delivered === undefined) return;
        await this.deliver(channel, threadId, await this.log.listSince(threadId, channel.delivered));
      });
    }
  }

  /** The threads someone here listens to. */
  threadIds(): string[] {
    return [...this.threads.keys()];
  }

  /** Wait until everything published so far has been delivered (tests, shutdown). */
  async settled(): Promise<void> {
    await Promise.all([...this.threads.values(), ...this.ending].map((channel) => channel.chain));
  }

  /**
   * A new channel starts from the log's last seq: without that baseline, the first event to arrive would
   * become the high-water mark, and an earlier event of a transaction that committed first but was
   * published later (two racing windows) would be dropped as a duplicate instead of filling the gap.
   */
  private openChannel(threadId: string): ThreadChannel {
    const channel: ThreadChannel = { listeners: new Set(), deletedListeners: new Map(), delivered: undefined, chain: Promise.resolve(), baseline: Promise.resolve() };
    channel.baseline = this.log.lastSeq(threadId).then(
      (seq) => {
        channel.delivered ??= seq;
      },
      () => undefined,
    );
    channel.chain = channel.baseline;
    this.threads.set(threadId, channel);
    return channel;
  }

  private async deliver(channel: ThreadChannel, threadId: string, events: ThreadEvent[]): Promise<void> {
    for (const event of events) {
      if (channel.delivered !== undefined && event.seq <= channel.delivered) continue;
      if (channel.delivered !== undefined && event.seq > channel.delivered + 1) {
        const missing = await this.log.listSince(threadId, channel.delivered).catch(() => []);
        for (const gapEvent of missing.filter((candidate) => candidate.seq < event.seq)) this.emit(channel, gapEvent);
      }
      this.emit(channel, event);
    }
  }

  private emit(channel: ThreadChannel, event: ThreadEvent): void {
    if (channel.delivered !== undefined && event.seq <= channel.delivered) return;
    channel.delivered = event.seq;
    for (const listener of channel.listeners) {
      try {
        listener(event);
      } catch {
        // A listener's failure (e.g. a closed socket) is its own business.
      }
    }
  }
}

function groupByThread(events: ThreadEvent[]): Map<string, ThreadEvent[]> {
  const groups = new Map<string, ThreadEvent[]>();
  for (const event of events) {
    const group = groups.get(event.thread_id) ?? [];
    group.push(event);
    groups.set(event.thread_id, group);
  }
  return groups;
}
