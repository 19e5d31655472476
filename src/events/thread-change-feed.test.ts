import { describe, expect, it } from "vitest";
import type { Session } from "../sessions/session.js";
import { type ThreadChange, ThreadChangeFeed, threadChangeUserKey } from "./thread-change-feed.js";

function session(threadId: string, userId: string, title: string): Session {
  return { thread_id: threadId, user_id: userId, title } as unknown as Session;
}

function record(feed: ThreadChangeFeed, userId: string): ThreadChange[] {
  const seen: ThreadChange[] = [];
  feed.subscribe(userId, (change) => seen.push(change));
  return seen;
}

describe("ThreadChangeFeed", () => {
  it("tells only the listeners of the change's user, each of them", async () => {
    const feed = new ThreadChangeFeed();
    const [aliceOne, aliceTwo, bob] = [record(feed, "alice"), record(feed, "alice"), record(feed, "bob")];
    feed.announce("alice", { kind: "created", threadId: "t1", session: session("t1", "alice", "a") });
    feed.receiveRemote({ kind: "deleted", threadId: "t2", userKey: threadChangeUserKey("alice") }, () => Promise.reject(new Error("not read")));
    await feed.settled();
    expect(aliceOne.map((change) => change.threadId)).toEqual(["t1", "t2"]);
    expect(aliceTwo).toEqual(aliceOne);
    expect(bob).toEqual([]);
  });

  it("reads a remote change's session as its user, keeps the order of arrival behind a slow read, skips a thread gone since", async () => {
    const feed = new ThreadChangeFeed();
    const seen = record(feed, "alice");
    const reads: string[] = [];
    let release = () => undefined as void;
    const slow = new Promise<void>((resolve) => (release = resolve));
    const load = async (userId: string, threadId: string) => {
      reads.push(`${userId}:${threadId}`);
      if (threadId === "slow") await slow;
      if (threadId === "gone") throw new Error("not_found");
      return session(threadId, userId, `title of ${threadId}`);
    };
    const key = threadChangeUserKey("alice");
    feed.receiveRemote({ kind: "updated", threadId: "slow", userKey: key }, load);
    feed.receiveRemote({ kind: "created", threadId: "gone", userKey: key }, load);
    feed.announce("alice", { kind: "deleted", threadId: "local", session: null });
    release();
    await feed.settled();
    expect(seen.map((change) => `${change.kind}:${change.threadId}`)).toEqual(["updated:slow", "deleted:local"]);
    expect(seen[0]).toMatchObject({ session: { title: "title of slow" } });
    expect(reads).toEqual(["alice:slow", "alice:gone"]);
  });

  it("reads nothing for a user nobody here listens to, nor after the last listener left", async () => {
    const feed = new ThreadChangeFeed();
    const stop = feed.subscribe("alice", () => undefined);
    stop();
    let reads = 0;
    feed.receiveRemote({ kind: "created", threadId: "t", userKey: threadChangeUserKey("alice") }, () => {
      reads += 1;
      return Promise.resolve(session("t", "alice", "x"));
    });
    await feed.settled();
    expect(reads).toBe(0);
  });

  it("passes a remote status change on as it came, reading nothing", async () => {
    const feed = new ThreadChangeFeed();
    const seen = record(feed, "alice");
    const status = { status: "busy" as const, lastActivityAt: "2026-11-23T10:00:00.000Z", awaitingHuman: false };
    feed.receiveRemote({ kind: "status", threadId: "t", userKey: threadChangeUserKey("alice"), status }, () => Promise.reject(new Error("not read")));
    await feed.settled();
    expect(seen).toEqual([{ kind: "status", threadId: "t", ...status }]);
  });
});
