import type { WebSocket } from "ws";
import type { User } from "../auth/user.js";
import type { Logger } from "../logger.js";
import type { Services } from "../services.js";
import type { Session } from "../sessions/session.js";
import type { ThreadEvent } from "../events/thread-event.js";
import { type ServerFrame, toEventFrame } from "./protocol.js";

/** One socket: its user, its thread subscriptions and a bounded send path. */
export class ClientConnection {
  /** Set on pong, cleared on ping: a socket that stays false for a whole interval is dead. */
  alive = true;
  private readonly subscriptions = new Map<string, () => void>();
  /** The session each subscription was checked against (a thread's owner and assistant never change). */
  private readonly sessions = new Map<string, Session>();
  /** `inOrder`'s chains by key; a key is dropped when its last work settles. */
  private readonly chains = new Map<string, Promise<void>>();

  constructor(
    readonly socket: WebSocket,
    readonly user: User,
    private readonly deps: { services: Services; logger: Logger; credential?: string },
  ) {}

  /** The API key or JWT the socket opened with, checked again periodically (never logged). */
  get credential(): string | undefined {
    return this.deps.credential;
  }

  /**
   * Run `work` after every earlier piece of work of this socket under the same key has settled: commands whose order
   * matters (messages sent back to back to one thread) are submitted in the order they arrived, although frames are
   * otherwise served concurrently. Call it before the first `await` of the frame, so arrival order is the chain's.
   */
  inOrder<T>(key: string, work: () => Promise<T>): Promise<T> {
    const next = (this.chains.get(key) ?? Promise.resolve()).then(work);
    const tail = next.then(
      () => undefined,
      () => undefined,
    );
    this.chains.set(key, tail);
    void tail.then(() => {
      if (this.chains.get(key) === tail) this.chains.delete(key);
    });
    return next;
  }

  /** Send a frame, or drop the client when it cannot keep up (never buffer without limit). */
  send(frame: ServerFrame): void {
    if (this.socket.readyState !== this.socket.OPEN) return;
    if (this.socket.bufferedAmount > this.deps.services.config.WS_MAX_BUFFERED_BYTES) {
      this.deps.logger.warn({ userId: this.user.id, buffered: this.socket.bufferedAmount }, "dropping slow WebSocket client");
      this.socket.terminate();
      return;
    }
    this.socket.send(JSON.stringify(frame));
  }

  /** Whether this socket receives a thread's events. */
  isSubscribed(threadId: string): boolean {
    return this.subscriptions.has(threadId);
  }

  /** The session a subscription was checked against when it began (undefined when not subscribed). */
  subscribedSession(threadId: string): Session | undefined {
    return this.sessions.get(threadId);
  }

  /**
   * Receive a thread's events. With `since`, first replay stored events after it, then continue live with
   * no gap and no duplicate: live events are held back until the replay is sent, then filtered by seq.
   */
  async subscribe(threadId: string, since?: number, session?: Session): Promise<{ last_seq: number }> {
    this.unsubscribe(threadId);
    if (session) this.sessions.set(threadId, session);
    let lastSent = since ?? -1;
    let held: ThreadEvent[] | undefined = since === undefined ? undefined : [];
    let deleted = false;
    const deliver = (event: ThreadEvent) => {
      if (held) {
        held.push(event);
      } else if (event.seq > lastSent) {
        lastSent = event.seq;
        this.send(toEventFrame(event));
      }
    };
    const unsubscribe = this.deps.services.bus.subscribe(threadId, deliver, (notice) => {
      // The thread is gone: this subscription ends with the notice (unless it was already replaced or dropped).
      if (this.subscriptions.get(threadId) !== unsubscribe) return;
      this.subscriptions.delete(threadId);
      this.sessions.delete(threadId);
      deleted = true;
      held = undefined;
      // Past whatever this socket was sent, a replay's events included: clients apply events by seq.
      this.send(toEventFrame({ ...notice, seq: Math.max(notice.seq, lastSent + 1) }));
    });
    this.subscriptions.set(threadId, unsubscribe);
    const live = await this.deps.services.bus.ready(threadId);
    if (since === undefined) return { last_seq: live };
    // Page through the stored events (a long-absent client may be far behind), then release what came live.
    for (let page = await this.deps.services.eventLog.listSince(threadId, since); page.length > 0; page = await this.deps.services.eventLog.listSince(threadId, lastSent)) {
      if (deleted) break;
      for (const event of page) {
        lastSent = event.seq;
        this.send(toEventFrame(event));
      }
    }
    const pending = held ?? [];
    held = undefined;
    for (const event of pending) deliver(event);
    return { last_seq: lastSent };
  }

  /** Stop receiving a thread's events. */
  unsubscribe(threadId: string): void {
    this.subscriptions.get(threadId)?.();
    this.subscriptions.delete(threadId);
    this.sessions.delete(threadId);
  }

  /** Drop every subscription (socket closed). */
  dispose(): void {
    for (const unsubscribe of this.subscriptions.values()) unsubscribe();
    this.subscriptions.clear();
    this.sessions.clear();
  }
}
