import type { EventLog } from "./event-log.js";
import type { ThreadEvent } from "./thread-event.js";

/** Receives a thread's events in seq order. */
export type ThreadEventListener = (event: ThreadEvent) => void;

interface ThreadChannel {
  listeners: Set<ThreadEventListener>;
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

  constructor(private readonly log: Pick<EventLog, "listSince" | "lastSeq">) {}

  /**
   * Listen to one thread; returns the unsubscribe function. Callers that then read stored state (a replay, a
   * run's status) must first await `ready`, so that whatever they read is older than the bus's baseline.
   */
  subscribe(threadId: string, listener: ThreadEventListener): () => void {
    const channel = this.threads.get(threadId) ?? this.openChannel(threadId);
    channel.listeners.add(listener);
    return () => {
      const current = this.threads.get(threadId);
      current?.listeners.delete(listener);
      if (current?.listeners.size === 0) this.threads.delete(threadId);
    };
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

  /** Wait until everything published so far has been delivered (tests, shutdown). */
  async settled(): Promise<void> {
    await Promise.all([...this.threads.values()].map((channel) => channel.chain));
  }

  /**
   * A new channel starts from the log's last seq: without that baseline, the first event to arrive would
   * become the high-water mark, and an earlier event of a transaction that committed first but was
   * published later (two racing windows) would be dropped as a duplicate instead of filling the gap.
   */
  private openChannel(threadId: string): ThreadChannel {
    const channel: ThreadChannel = { listeners: new Set(), delivered: undefined, chain: Promise.resolve(), baseline: Promise.resolve() };
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
