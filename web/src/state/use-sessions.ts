import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import type { Session, SessionPage } from "../protocol/protocol-types.js";
import type { RpcClient } from "../protocol/rpc-client.js";
import { type ListChange, ListReconciler } from "./list-reconciler.js";
import { applySessionNotice, isListed, mergeSession, noticeNeedsList, trackUnlisted } from "./session-list-notice.js";

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
 * The user's sessions, newest activity first. Sessions created, renamed or deleted anywhere (another tab, another
 * device, the API), and replies starting and ending there, arrive as the server's notices and change the list at
 * once; it also refreshes on reconnect (which covers notices missed while disconnected), on focus and now and then.
 */
export function useSessions(client: RpcClient): SessionsModel {
  const [sessions, setSessions] = useState<Session[]>([]);
  // The list as last rendered, for the notice listener (registered once).
  const sessionsNow = useRef(sessions);
  sessionsNow.current = sessions;
  const [cursor, setCursor] = useState<string | null>(null);
  const pagesLoaded = useRef(1);
  // Threads of stateless API calls seen and not shown (`isListed`): their notices change nothing and need no reload.
  const unlisted = useRef(new Set<string>()).current;
  const listed = useCallback(
    (page: Session[]) => {
      for (const session of page) if (!isListed(session)) unlisted.add(session.thread_id);
      return page.filter(isListed);
    },
    [unlisted],
  );

  // A list answer can predate what this tab just did (see ListReconciler): its changes are applied on top.
  const reconciler = useRef(new ListReconciler<Session>()).current;

  const change = useCallback(
    (apply: ListChange<Session>) => {
      reconciler.record(apply);
      setSessions(apply);
    },
    [reconciler],
  );

  const refresh = useCallback(async () => {
    const ticket = reconciler.begin();
    try {
      const page = await client.call<SessionPage>("thread.list", { limit: Math.min(100, PAGE_SIZE * pagesLoaded.current) });
      const settled = reconciler.settle(ticket, listed(page.sessions));
      if (!settled) return;
      setSessions(settled);
      setCursor(page.next_cursor);
    } catch {
      // Kept as it was; the next refresh tries again.
    }
  }, [client, reconciler, listed]);

  const loadMore = useCallback(async () => {
    if (!cursor) return;
    const page = await client.call<SessionPage>("thread.list", { limit: PAGE_SIZE, cursor });
    pagesLoaded.current += 1;
    const more = listed(page.sessions);
    setSessions((previous) => [...previous, ...more.filter((session) => !previous.some((known) => known.thread_id === session.thread_id))]);
    setCursor(page.next_cursor);
  }, [client, cursor, listed]);

  useEffect(() => {
    void refresh();
    const onFocus = () => void refresh();
    window.addEventListener("focus", onFocus);
    // The first connection's open needs no read of its own: the one above waits for it. Every later open is a
    // reconnect, which may have missed notices.
    let firstOpen = client.status === "connecting";
    const offOpen = client.onOpen(() => {
      if (firstOpen) firstOpen = false;
      else void refresh();
    });
    const offNotice = client.onNotice((notice) => {
      trackUnlisted(unlisted, notice);
      if (noticeNeedsList(sessionsNow.current, notice, unlisted)) void refresh();
      else change((previous) => applySessionNotice(previous, notice));
    });
    const timer = setInterval(() => void refresh(), REFRESH_MS);
    return () => {
      window.removeEventListener("focus", onFocus);
      offOpen();
      offNotice();
      clearInterval(timer);
    };
  }, [client, refresh, change, unlisted]);

  const upsert = useCallback(
    (session: Session) =>
      change((previous) => {
        const index = previous.findIndex((known) => known.thread_id === session.thread_id);
        if (index === -1) return [session, ...previous];
        const next = [...previous];
        next[index] = mergeSession(previous[index] ?? session, session);
        return next;
      }),
    [change],
  );

  const remove = useCallback((threadId: string) => change((previous) => previous.filter((session) => session.thread_id !== threadId)), [change]);

  return { sessions, hasMore: cursor !== null, refresh, loadMore, upsert, remove };
}
