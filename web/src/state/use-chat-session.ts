import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import type { OpenedSession, Session } from "../protocol/protocol-types.js";
import type { RpcClient } from "../protocol/rpc-client.js";
import { type Phrase, phrase } from "../i18n/translator.js";
import { RpcError } from "../protocol/rpc-error.js";
import { errorPhrase } from "./error-phrase.js";
import { SESSION_DELETED, SESSION_DELETED_ELSEWHERE, SESSION_PICKED_DELETED, sendFailureMessage } from "./send-failure.js";
import { loadOwnRuns, loadTabThread, rememberOwnRun, saveTabThread, tabWindowId } from "./browser-storage.js";
import { awaitsUser } from "./session-list-notice.js";
import { answeredMessageId, regeneratePoint } from "../../../src/sessions/regenerate-point.js";
import { isQueued } from "./thread-state.js";
import { ThreadSync } from "./thread-sync.js";
import type { SessionsModel } from "./use-sessions.js";
import { useThreadState } from "./use-thread-state.js";
import { type UnconfirmedMessage, hasArrived, isUnanswered, sendKey } from "./unconfirmed-message.js";

/** A message the user sent that the server has not confirmed yet. */
export interface PendingMessage {
  key: string;
  text: string;
  runId?: string;
  /** User message ids present when it was sent; a new one with the same text is its confirmation. */
  knownUserIds: Set<string>;
}

/** Parameters of `thread.open`. */
type OpenParams = { window_id?: string; thread_id?: string; assistant_id?: string };

/**
 * The tab's current session and what the user does with it: open/switch, send, stop, retry, rename, delete.
 * The tab's window id binds its first session; later switches are remembered per tab in sessionStorage
 * because `thread.open` does not (yet) rebind a window to another thread.
 */
export function useChatSession(client: RpcClient, sessions: SessionsModel) {
  const windowId = useRef(tabWindowId()).current;
  const [session, setSession] = useState<Session | undefined>(undefined);
  const [sync, setSync] = useState<ThreadSync | undefined>(undefined);
  const syncRef = useRef<ThreadSync | undefined>(undefined);
  const state = useThreadState(sync);
  const [pending, setPending] = useState<PendingMessage[]>([]);
  // A phrase, not text: a banner on screen follows a language switch.
  const [problem, setProblem] = useState<{ message: Phrase } | undefined>(undefined);
  /** Sessions this tab deleted itself: their `thread.deleted` is expected, and `remove` moves the tab. */
  const deletedHere = useRef(new Set<string>()).current;
  /** The deleted session the tab is moving away from (told twice, it moves once). */
  const leaving = useRef<string | undefined>(undefined);
  /** The message whose sends all went unanswered, and the problem that said so. */
  const unconfirmed = useRef<{ message: UnconfirmedMessage; problem: { message: Phrase } } | undefined>(undefined);
  /** A message confirmed after the page gave up on it: the caller takes its text out of the message box. */
  const [confirmedLate, setConfirmedLate] = useState<{ text: string } | undefined>(undefined);

  // The server took an unconfirmed message after all (its answer came too late, or never): the problem that asked
  // to send it again is gone, and so is the reason to keep it in the box.
  useEffect(() => {
    const entry = unconfirmed.current;
    if (!entry || !hasArrived(entry.message, sync?.threadId, state.messages)) return;
    unconfirmed.current = undefined;
    setProblem((current) => (current === entry.problem ? undefined : current));
    setConfirmedLate({ text: entry.message.text });
    // The problem too: the message may have shown before the page gave up on its answer.
  }, [sync, state.messages, problem]);

  /** Open a session (replacing the current one) and load its newest history; the sync that follows it. */
  const open = useCallback(
    async (params: OpenParams): Promise<ThreadSync> => {
      const opened = await client.call<OpenedSession>("thread.open", params);
      syncRef.current?.dispose();
      const next = new ThreadSync(client, opened.thread_id);
      syncRef.current = next;
      setSync(next);
      setSession(opened);
      setPending([]);
      setProblem(undefined);
      saveTabThread(opened.thread_id);
      sessions.upsert(opened);
      // Only a session that awaits the user has questions or a breakpoint to load: one stopped by a cancel is
      // `interrupted` too, and its graph has nodes left, which must not read as a breakpoint.
      await next.start({ interrupted: awaitsUser(opened), ...(opened.status === "busy" ? { busyAt: opened.last_seq } : {}) });
      return next;
    },
    [client, sessions.upsert],
  );

  // First load: the session this tab showed last, else the window's own session.
  useEffect(() => {
    const remembered = loadTabThread();
    const first = remembered ? open({ thread_id: remembered, window_id: windowId }) : open({ window_id: windowId });
    first
      .catch((error: unknown): Promise<ThreadSync> => {
        if (remembered && error instanceof RpcError && error.code === "not_found") return open({ window_id: windowId });
        throw error;
      })
      .catch((error: unknown) => setProblem({ message: errorPhrase(error) }));
    return () => syncRef.current?.dispose();
  }, [client]);

  /**
   * The session `threadId` was deleted in another window: it leaves the list, and when it is the open one the tab
   * moves to its window's session as a failed send would, saying why. The message box is the page's, not the
   * session's: a draft stays in it. Not for a session this tab deleted itself (`remove` moves the tab).
   */
  const leaveDeleted = useCallback(
    (threadId: string) => {
      sessions.remove(threadId);
      if (deletedHere.has(threadId)) return;
      void sessions.refresh();
      if (syncRef.current?.threadId !== threadId || leaving.current === threadId) return;
      leaving.current = threadId;
      void open({ window_id: windowId })
        .catch(() => undefined)
        .then(() => setProblem({ message: SESSION_DELETED_ELSEWHERE }))
        .finally(() => {
          if (leaving.current === threadId) leaving.current = undefined;
        });
    },
    [open, sessions.remove, sessions.refresh],
  );

  // Live: the server pushes `thread.deleted` to the sockets subscribed to the thread.
  useEffect(
    () =>
      client.onEvent((frame) => {
        if (frame.event === "thread.deleted") leaveDeleted(frame.thread_id);
      }),
    [client, leaveDeleted],
  );

  // Deleted while this tab was disconnected (that notice is never stored): resubscribing at reconnect says not_found.
  useEffect(() => {
    if (!sync) return;
    return sync.onGone(() => leaveDeleted(sync.threadId));
  }, [sync, leaveDeleted]);

  /**
   * Open a session from a user action; failures are shown instead of thrown. A session deleted elsewhere since the
   * list showed it (the tab missed that notice, or the delete fell between opening and subscribing) leaves the list
   * like a live deletion, and the tab says so rather than showing a bare not_found.
   */
  const switchTo = useCallback(
    (params: OpenParams) => {
      open(params).catch(async (error: unknown) => {
        const threadId = params.thread_id;
        if (threadId && error instanceof RpcError && error.code === "not_found" && (await isDeleted(client, threadId))) {
          const wasOpened = syncRef.current?.threadId === threadId;
          leaveDeleted(threadId);
          // Opened before the delete showed: leaveDeleted moves the tab and says why; else the tab stays where it was.
          if (!wasOpened) setProblem({ message: SESSION_PICKED_DELETED });
          return;
        }
        setProblem({ message: errorPhrase(error) });
      });
    },
    [open, client, leaveDeleted],
  );

  const rename = useCallback(
    async (threadId: string, title: string) => {
      const updated = await client.call<Session>("thread.update", { thread_id: threadId, title });
      sessions.upsert(updated);
      setSession((current) => (current?.thread_id === threadId ? updated : current));
    },
    [client, sessions.upsert],
  );

  /**
   * Send a message; false when the server refused it (the caller puts the text back in the message box). A
   * session deleted elsewhere (not_found) is left for the window's own session, and the list refreshed.
   */
  const send = useCallback(
    async (text: string): Promise<boolean> => {
      const current = syncRef.current;
      if (!current || !session) return false;
      // Sent again unchanged after going unanswered: the same key, so the server stores it once.
      const key = sendKey(unconfirmed.current?.message, current.threadId, text);
      unconfirmed.current = undefined;
      const knownUserIds = new Set(current.state.messages.filter((message) => message.role === "user").map((message) => message.id));
      setPending((previous) => [...previous, { key, text, knownUserIds }]);
      setProblem(undefined);
      const params = { thread_id: current.threadId, input: { messages: [{ role: "user", content: text }] }, client_message_id: key };
      try {
        const result = await startRun(client, params);
        rememberOwnRun(result.run_id);
        setPending((previous) => previous.map((entry) => (entry.key === key ? { ...entry, runId: result.run_id } : entry)));
        // The server titles a session from its first message and tells every tab (thread.updated), this one too.
        return true;
      } catch (error) {
        setPending((previous) => previous.filter((entry) => entry.key !== key));
        // not_found may name something else (an assistant); the session is gone only if thread.get agrees.
        const deleted = error instanceof RpcError && error.code === "not_found" && (await isDeleted(client, current.threadId));
        if (deleted && syncRef.current === current) {
          sessions.remove(current.threadId);
          void sessions.refresh();
          await open({ window_id: windowId }).catch(() => undefined);
        }
        const problem = { message: deleted ? SESSION_DELETED : sendFailureMessage(error) };
        setProblem(problem);
        if (isUnanswered(error)) unconfirmed.current = { message: { key, text, threadId: current.threadId, knownUserIds }, problem };
        return false;
      }
    },
    [client, session, rename, open, sessions.refresh, sessions.remove],
  );

  /**
   * Continue a reply paused at a static breakpoint: a run without input, which LangGraph resumes from the
   * checkpoint it stopped at. A refusal is shown like a send's; false then.
   */
  const proceed = useCallback(async (): Promise<boolean> => {
    const current = syncRef.current;
    if (!current) return false;
    setProblem(undefined);
    const params = { thread_id: current.threadId, client_message_id: crypto.randomUUID() };
    try {
      await client.call("run.start", params).catch((error: unknown) => {
        if (error instanceof RpcError && error.code === "disconnected") return client.call("run.start", params);
        throw error;
      });
      return true;
    } catch (error) {
      setProblem({ message: sendFailureMessage(error) });
      return false;
    }
  }, [client]);

  /**
   * Run a failed or stopped reply again: a replay from the checkpoint holding its user message, which is in the
   * state already (sending its text again would put it there twice). False when that checkpoint is not there
   * (the failure came before the input was checkpointed, or it was pruned): the caller sends the text again then.
   */
  const retryRun = useCallback(
    async (messageId: string): Promise<boolean> => {
      const current = syncRef.current;
      if (!current) return true;
      setProblem(undefined);
      try {
        const checkpointId = regeneratePoint(await client.call<unknown>("state.listCheckpoints", { thread_id: current.threadId, limit: 50 }), messageId);
        if (!checkpointId) return false;
        await client.call("run.start", { thread_id: current.threadId, checkpoint_id: checkpointId, client_message_id: crypto.randomUUID() });
      } catch (error) {
        setProblem({ message: sendFailureMessage(error) });
      }
      return true;
    },
    [client],
  );

  /**
   * Generate the newest reply again: a replay from the checkpoint before it (`regeneratePoint`), a new branch the
   * page shows under a divider. Says so when the thread has no such checkpoint in its newest 50 (pruned, say).
   */
  const regenerate = useCallback(async () => {
    const current = syncRef.current;
    if (!current) return;
    setProblem(undefined);
    try {
      const replyTo = answeredMessageId(current.state.messages);
      const checkpointId = replyTo && regeneratePoint(await client.call<unknown>("state.listCheckpoints", { thread_id: current.threadId, limit: 50 }), replyTo);
      if (!checkpointId) return setProblem({ message: phrase("regenerate.unavailable") });
      await client.call("run.start", { thread_id: current.threadId, checkpoint_id: checkpointId, client_message_id: crypto.randomUUID() });
    } catch (error) {
      setProblem({ message: sendFailureMessage(error) });
    }
    return undefined;
  }, [client]);

  const stop = useCallback(async () => {
    const current = syncRef.current;
    const runId = current?.state.activeRunId;
    if (!current || !runId) return;
    try {
      await client.call("run.cancel", { thread_id: current.threadId, run_id: runId });
    } catch (error) {
      setProblem({ message: errorPhrase(error) });
    }
  }, [client]);

  const remove = useCallback(
    async (threadId: string) => {
      try {
        // Marked before the call: the server's notice to this socket may come before its answer.
        deletedHere.add(threadId);
        await client.call("thread.delete", { thread_id: threadId }).catch((error: unknown) => {
          deletedHere.delete(threadId);
          throw error;
        });
        sessions.remove(threadId);
        // The window's own session comes back fresh if it was the one deleted.
        if (syncRef.current?.threadId === threadId) await open({ window_id: windowId });
      } catch (error) {
        setProblem({ message: errorPhrase(error) });
      }
    },
    [client, open, sessions.remove],
  );

  const respond = useCallback(
    async (interruptId: string, value: unknown) => {
      const current = syncRef.current;
      if (!current) return;
      // Failures go to the approval card, which words them (method_not_found: no approvals on this server).
      await client.call("input.respond", { thread_id: current.threadId, interrupt_id: interruptId, value });
    },
    [client],
  );

  /**
   * Withdraw a message this tab queued behind the running reply (`run.cancel` of its pending run): it leaves the
   * chat, and its text is returned for the message box. Undefined when it could not be withdrawn (the refusal is
   * shown), or when it had already started — then the cancel stopped it, as Stop would. After a reload the tab's
   * queued message is no longer pending here, only queued on the thread: its run id says it is the tab's.
   */
  const withdraw = useCallback(
    async (runId: string): Promise<string | undefined> => {
      const current = syncRef.current;
      const entry = pending.find((candidate) => candidate.runId === runId);
      const text = entry?.text ?? (isOwnRun(runId) ? current?.state.queued.find((queued) => queued.run_id === runId)?.text : undefined);
      if (!current || text === undefined) return undefined;
      const stillQueued = isQueued(current.state, runId);
      try {
        await client.call("run.cancel", { thread_id: current.threadId, run_id: runId });
      } catch (error) {
        setProblem({ message: errorPhrase(error) });
        return undefined;
      }
      if (!stillQueued) return undefined;
      if (entry) setPending((previous) => previous.filter((candidate) => candidate.key !== entry.key));
      return text;
    },
    [client, pending],
  );

  const visiblePending = pending.filter(
    (entry) =>
      !(entry.runId !== undefined && state.runs[entry.runId]?.withdrawn) &&
      !state.messages.some(
        (message) => message.role === "user" && ((entry.runId !== undefined && message.run_id === entry.runId) || (!entry.knownUserIds.has(message.id) && message.content === entry.text)),
      ),
  );

  return {
    windowId,
    session,
    sync,
    state,
    pending: visiblePending,
    problem,
    confirmedLate,
    clearProblem: () => setProblem(undefined),
    showProblem: (message: Phrase) => setProblem({ message }),
    open,
    switchTo,
    send,
    proceed,
    regenerate,
    retryRun,
    stop,
    rename,
    remove,
    respond,
    withdraw,
    isOwnRun,
  };
}

/** Whether this tab sent the message run `runId` answers (remembered across reloads). */
function isOwnRun(runId: string): boolean {
  return loadOwnRuns().includes(runId);
}

/** Whether the server no longer knows this session (deleted, e.g. in another window). */
async function isDeleted(client: RpcClient, threadId: string): Promise<boolean> {
  try {
    await client.call("thread.get", { thread_id: threadId });
    return false;
  } catch (error) {
    return error instanceof RpcError && error.code === "not_found";
  }
}

/** How often a message is asked for again when the server did not answer, or the connection dropped, before giving up. */
const SEND_ATTEMPTS = 3;

/**
 * `run.start` for a message. client_message_id makes asking again safe — after a dropped connection, or a server
 * slow to answer (a retry waits behind the first submission and gets its run back) — so the message is neither lost
 * nor sent twice; only when every attempt went unanswered is the user asked to check (sending the text again
 * unchanged reuses its key: `sendKey`).
 */
async function startRun(client: RpcClient, params: Record<string, unknown>): Promise<{ run_id: string }> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await client.call<{ run_id: string }>("run.start", params);
    } catch (error) {
      if (!isUnanswered(error) || attempt >= SEND_ATTEMPTS) throw error;
    }
  }
}
