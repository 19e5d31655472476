import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import type { Session, SessionPage } from "../protocol/protocol-types.js";
import type { RpcClient } from "../protocol/rpc-client.js";

const PAGE_SIZE = 50;
const REFRESH_MS = 30_000;

/** The sidebar's session list and the operations that change it. */
export interface SessionsModel {
  sessions: Session[];
  hasMore: boolean;
  refresh: () => Promise<void>;
  loadMore: () => Promise<void>;
  upsert: (session: Session) => void;
  remove: (threadId: string) => void;
}

/**
 * The user's sessions, newest activity first. There is no push for list changes, so it refreshes on
 * reconnect, on focus, after sends and now and then; other tabs' renames show up that way.
 */
export function useSessions(client: RpcClient): SessionsModel {
  const [sessions, setSessions] = useState<Session[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const pagesLoaded = useRef(1);

  const refresh = useCallback(async () => {
    try {
      const page = await client.call<SessionPage>("thread.list", { limit: Math.min(100, PAGE_SIZE * pagesLoaded.current) });
      setSessions(page.sessions);
      setCursor(page.next_cursor);
    } catch {
      // Kept as it was; the next refresh tries again.
    }
  }, [client]);

  const loadMore = useCallback(async () => {
    if (!cursor) return;
    const page = await client.call<SessionPage>("thread.list", { limit: PAGE_SIZE, cursor });
    pagesLoaded.current += 1;
    setSessions((previous) => [...previous, ...page.sessions.filter((session) => !previous.some((known) => known.thread_id === session.thread_id))]);
    setCursor(page.next_cursor);
  }, [client, cursor]);

  useEffect(() => {
    void refresh();
    const onFocus = () => void refresh();
    window.addEventListener("focus", onFocus);
    const offOpen = client.onOpen(() => void refresh());
    const timer = setInterval(() => void refresh(), REFRESH_MS);
    return () => {
      window.removeEventListener("focus", onFocus);
      offOpen();
      clearInterval(timer);
    };
  }, [client, refresh]);

  const upsert = useCallback((session: Session) => {
    setSessions((previous) => {
      const index = previous.findIndex((known) => known.thread_id === session.thread_id);
      if (index === -1) return [session, ...previous];
      const next = [...previous];
      next[index] = session;
      return next;
    });
  }, []);

  const remove = useCallback((threadId: string) => {
    setSessions((previous) => previous.filter((session) => session.thread_id !== threadId));
  }, []);

  return { sessions, hasMore: cursor !== null, refresh, loadMore, upsert, remove };
}
