import { createHash } from "node:crypto";
import type { Session, SessionStatus } from "../sessions/session.js";

/**
 * What happened to one of a user's threads: the session list's changes. `status`: a reply started or ended (the
 * thread's status and activity time changed), told without the rest of the session.
 */
export type ThreadChangeKind = "created" | "updated" | "deleted" | "status";

/** A thread's status and the activity time that came with it, as the statement that changed them left them. */
export interface ThreadStatusNow {
  status: SessionStatus;
  lastActivityAt: string;
  /** With `interrupted`: a question or breakpoint waits for a human (false: a run stopped by a cancel, asking nothing). */
  awaitingHuman: boolean;
}

/** A status, its activity time and whether a human is awaited, as a statement returned them. */
export function threadStatusNow(status: SessionStatus, lastActivityAt: Date, awaitingHuman: boolean): ThreadStatusNow {
  return { status, lastActivityAt: lastActivityAt.toISOString(), awaitingHuman };
}

/** A change as its listeners get it: the session as it is now (null once deleted), or its new status alone. */
export type ThreadChange =
  | { kind: "created" | "updated" | "deleted"; threadId: string; session: Session | null }
  | ({ kind: "status"; threadId: string } & ThreadStatusNow);

/** Receives every change to one user's threads, in the order this instance learnt of them. */
export type ThreadChangeListener = (change: ThreadChange) => void;

/** A change another instance announced: its user is named by `userKey` (`threadChangeUserKey`), not by id. */
export interface RemoteThreadChange {
  kind: ThreadChangeKind;
  threadId: string;
  userKey: string;
  /** A status change carries its new status in the announcement: nothing to read. */
  status?: ThreadStatusNow;
}

/** How a remote change's session is read (as its owner sees it: not_found once it is gone). */
export type SessionLoader = (userId: string, threadId: string) => Promise<Session>;

interface UserChannel {
  userId: string;
  listeners: Set<ThreadChangeListener>;
  /** One change after the other, so a slow read of a remote change's session cannot reorder them. */
  chain: Promise<void>;
}

/**
 * The key a cross-instance notice names its user by: a fixed-size digest, because a user id (a JWT's sub) may be
 * longer than a NOTIFY payload can carry, and a payload too large would fail the statement that changed the thread.
 */
export function threadChangeUserKey(userId: string): string {
  return createHash("sha256").update(userId).digest("hex");
}

/**
 * Fan-out of a user's thread changes (created, renamed or re-tagged, deleted, a reply starting or ending) to every
 * local listener of that user — each socket of the user, never another user's. Changes made here arrive with their
 * session (`announce`); those of other instances arrive through Postgres NOTIFY as references and are read once here
 * (`receiveRemote`; a status change carries its status and is not read). Nothing
 * is stored: a listener that was away learns the state from the list itself.
 */
export class ThreadChangeFeed {
  private readonly users = new Map<string, UserChannel>();

  /** Listen to one user's thread changes; returns the unsubscribe function. */
  subscribe(userId: string, listener: ThreadChangeListener): () => void {
    const key = threadChangeUserKey(userId);
    const channel = this.users.get(key) ?? { userId, listeners: new Set(), chain: Promise.resolve() };
    this.users.set(key, channel);
    channel.listeners.add(listener);
    return () => {
      channel.listeners.delete(listener);
      if (channel.listeners.size === 0 && this.users.get(key) === channel) this.users.delete(key);
    };
  }

  /** A change made on this instance and committed: tell the user's listeners here. */
  announce(userId: string, change: ThreadChange): void {
    const channel = this.users.get(threadChangeUserKey(userId));
    if (!channel) return;
    channel.chain = channel.chain.then(() => tell(channel, change));
  }

  /**
   * A change another instance committed: when its user listens here, read the session once (a created or updated
   * thread deleted since is skipped: its `deleted` follows) and tell the listeners.
   */
  receiveRemote(remote: RemoteThreadChange, load: SessionLoader): void {
    const channel = this.users.get(remote.userKey);
    if (!channel) return;
    channel.chain = channel.chain.then(async () => {
      if (remote.kind === "deleted") {
        tell(channel, { kind: "deleted", threadId: remote.threadId, session: null });
        return;
      }
      if (remote.kind === "status") {
        if (remote.status) tell(channel, { kind: "status", threadId: remote.threadId, ...remote.status });
        return;
      }
      const session = await load(channel.userId, remote.threadId).catch(() => undefined);
      if (session) tell(channel, { kind: remote.kind, threadId: remote.threadId, session });
    });
  }

  /** Wait until every change received so far has been told (tests, shutdown). */
  async settled(): Promise<void> {
    await Promise.all([...this.users.values()].map((channel) => channel.chain));
  }
}

function tell(channel: UserChannel, change: ThreadChange): void {
  for (const listener of channel.listeners) {
    try {
      listener(change);
    } catch {
      // A listener's failure (a closed socket) is its own business.
    }
  }
}
