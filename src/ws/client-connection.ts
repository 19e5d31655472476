import type { WebSocket } from "ws";
import type { User } from "../auth/user.js";
import type { Logger } from "../logger.js";
import type { Services } from "../services.js";
import type { Session } from "../sessions/session.js";
import type { ThreadEvent } from "../events/thread-event.js";
import { notFound } from "../errors/app-error.js";
import { type ServerFrame, toEventFrame, toNoticeFrame } from "./protocol.js";

/** One socket: its user, its thread subscriptions and a bounded send path. */
export class ClientConnection {
  /** Set on pong, cleared on ping: a socket that stays false for a whole interval is dead. */
  alive = true;
  private readonly subscriptions = new Map<string, () => void>();
  /** The session each subscription was checked against (a thread's owner and assistant never change). */
  private readonly sessions = new Map<string, Session>();
  /** `inOrder`'s chains by key; a key is dropped when its last work settles. */
  private readonly chains = new Map<string, Promise<void>>();

  /** Ends this socket's share of its user's thread changes. */
  private readonly stopThreadChanges: () => void;

  constructor(
    readonly socket: WebSocket,
    readonly user: User,
    private readonly deps: { services: Services; logger: Logger; credential?: string },
  ) {
    // Every socket of the user hears of the user's threads being created, renamed or deleted (its session list).
    this.stopThreadChanges = deps.services.threadChanges.subscribe(user.id, (change) => this.send(toNoticeFrame(change)));
  }

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
   *
   * `load` reads the thread as its owner sees it (not_found for a missing or another user's thread). It runs
   * after the bus listener is registered, so a delete racing the subscribe is never missed: one that committed
   * before the read fails it (the subscribe answers not_found), one that commits after reaches the listener
   * (`thread.deleted`). Nothing is sent before the read confirmed the thread.
   */
  async subscribe(threadId: string, options: { since?: number; load: () => Promise<Session> }): Promise<{ last_seq: number; session: Session }> {
    const { since } = options;
    this.unsubscribe(threadId);
    let lastSent = since ?? -1;
    let held: ThreadEvent[] | undefined = [];
    let confirmed = false;
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
      // Not confirmed yet: the subscribe itself answers not_found instead.
      if (!confirmed) return;
      // Past whatever this socket was sent, a replay's events included: clients apply events by seq.
      this.send(toEventFrame({ ...notice, seq: Math.max(notice.seq, lastSent + 1) }));
    });
    this.subscriptions.set(threadId, unsubscribe);
    let session: Session;
    let live: number;
    try {
      [session, live] = await Promise.all([options.load(), this.deps.services.bus.ready(threadId)]);
    } catch (error) {
      if (this.subscriptions.get(threadId) === unsubscribe) this.unsubscribe(threadId);
      else unsubscribe();
      throw error;
    }
    if (deleted) throw notFound("Thread", threadId);
    confirmed = true;
    if (this.subscriptions.get(threadId) === unsubscribe) this.sessions.set(threadId, session);
    if (since !== undefined) {
      // Page through the stored events (a long-absent client may be far behind), then release what came live.
      for (let page = await this.deps.services.eventLog.listSince(threadId, since); page.length > 0 && !deleted; page = await this.deps.services.eventLog.listSince(threadId, lastSent)) {
        for (const event of page) {
          if (deleted) break;
          lastSent = event.seq;
          this.send(toEventFrame(event));
        }
      }
    }
    const pending = held ?? [];
    held = undefined;
    for (const event of pending) deliver(event);
    return { last_seq: since === undefined ? live : lastSent, session };
  }

  /** Stop receiving a thread's events. */
  unsubscribe(threadId: string): void {
    this.subscriptions.get(threadId)?.();
    this.subscriptions.delete(threadId);
    this.sessions.delete(threadId);
  }

  /** Drop every subscription (socket closed). */
  dispose(): void {
    this.stopThreadChanges();
    for (const unsubscribe of this.subscriptions.values()) unsubscribe();
    this.subscriptions.clear();
    this.sessions.clear();
  }
}
