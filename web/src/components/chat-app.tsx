import { useEffect, useState } from "preact/hooks";
import { CloseIcon } from "./icons.js";
import { useI18n } from "../i18n/i18n-context.js";
import type { Assistant, Session } from "../protocol/protocol-types.js";
import type { RpcClient } from "../protocol/rpc-client.js";
import { isMethodNotFound } from "../protocol/rpc-error.js";
import { loadDraft, saveDraft } from "../state/browser-storage.js";
import { isBlankSession, shownSessions } from "../state/session-list-notice.js";
import { isNewestTurn, isRunning, isSettled, runUserMessage } from "../state/thread-state.js";
import { withoutConfirmed } from "../state/unconfirmed-message.js";
import { useChatSession } from "../state/use-chat-session.js";
import { useSessions } from "../state/use-sessions.js";
import { useMessageJump } from "../state/use-message-jump.js";
import { useConnectionStatus } from "../state/use-thread-state.js";
import { Announcer, useAnnouncement } from "./announcer.js";
import { ApprovalCard } from "./approval-card.js";
import { focusComposer } from "./focus.js";
import { QuestionCard } from "./question-card.js";
import { BreakpointBar } from "./breakpoint-bar.js";
import { ChatHeader } from "./chat-header.js";
import { Composer } from "./composer.js";
import { ConnectionBanner } from "./connection-banner.js";
import { MessageList } from "./message-list.js";
import { SessionSidebar } from "./session-sidebar.js";
import { isStopKey } from "./stop-key.js";
import { TimelinePanel } from "./timeline-panel.js";
import { useOverlays } from "./use-overlays.js";

/** The signed-in page: sessions on the left, the conversation in the middle, the timeline on demand. */
export function ChatApp(props: { client: RpcClient; assistants: Assistant[]; onSignOut: (() => void) | undefined }) {
  const { client, assistants } = props;
  const i18n = useI18n();
  const status = useConnectionStatus(client);
  const sessions = useSessions(client);
  const chat = useChatSession(client, sessions);
  const jump = useMessageJump(chat);
  const announcement = useAnnouncement(chat.state);
  const [draft, setDraft] = useState("");
  const [timelineSupported, setTimelineSupported] = useState(false);
  const overlays = useOverlays(timelineSupported);
  const { sidebarOpen, timelineOpen } = overlays;
  const threadId = chat.session?.thread_id;
  // The unsent text is kept per tab and user: a reload, or the sign-in an expired token forces, gives it back once
  // the session says who is signed in; signing out forgets it.
  const userId = chat.session?.user_id;
  useEffect(() => {
    if (userId) setDraft((current) => current || loadDraft(userId));
  }, [userId]);
  useEffect(() => {
    if (userId) saveDraft(userId, draft);
  }, [userId, draft]);
  const onSignOut = props.onSignOut;
  const signOut = onSignOut
    ? () => {
        saveDraft(undefined, "");
        onSignOut();
      }
    : undefined;
  // The list follows renames and titles made anywhere (notices); the session as opened does not.
  const listed = sessions.sessions.find((session) => session.thread_id === threadId);
  const running = isRunning(chat.state);
  // The browser tab says which session it shows (renames and titles made elsewhere included).
  const tabTitle = chat.session ? `${(listed ?? chat.session).title ?? i18n.t("session.untitled")} · Threadline` : "Threadline";
  useEffect(() => {
    document.title = tabTitle;
  }, [tabTitle]);

  // Esc stops the reply from the page or an empty message box, not from other fields or an IME composition
  // (isStopKey); dialogs handle their own Esc.
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (!running || !isStopKey(event) || document.querySelector("dialog[open]")) return;
      event.preventDefault();
      void chat.stop();
    };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, [running, chat.stop]);

  // The timeline needs issue 4's checkpoint methods; ask the server once per session whether it has them.
  useEffect(() => {
    if (!threadId || status !== "open") return;
    client
      .call("state.listCheckpoints", { thread_id: threadId, limit: 1 })
      .then(() => setTimelineSupported(true))
      .catch((error: unknown) => setTimelineSupported(!isMethodNotFound(error)));
  }, [client, threadId, status]);

  // The box empties at once (the message shows as pending); a refused message comes back into it, before
  // anything typed since, so nothing the user wrote is lost.
  // A message the page gave up on, confirmed after all, leaves the box (sending it again would repeat it).
  useEffect(() => {
    const confirmed = chat.confirmedLate;
    if (confirmed) setDraft((current) => withoutConfirmed(current, confirmed.text));
  }, [chat.confirmedLate]);

  const submit = async (text: string) => {
    if (await chat.send(text)) return;
    setDraft((current) => (current.trim() ? `${text}\n\n${current}` : text));
  };

  const send = () => {
    const text = draft.trim();
    if (!text) return;
    setDraft("");
    void submit(text);
  };

  const select = (id: string) => {
    overlays.closeSidebar();
    if (id !== threadId) chat.switchTo({ thread_id: id, window_id: chat.windowId });
  };

  return (
    <div class={`app-shell${timelineOpen && timelineSupported ? " with-panel" : ""}`}>
      <a class="skip-link" href="#composer-input">
        {i18n.t("chat.skipLink")}
      </a>
      <SessionSidebar
        client={client}
        sessions={shownSessions(sessions.sessions, threadId)}
        currentId={threadId}
        assistants={assistants}
        hasMore={sessions.hasMore}
        open={sidebarOpen}
        onSelect={select}
        onClose={() => overlays.closeSidebar()}
        onNew={(assistantId) => {
          overlays.closeSidebar("#composer-input");
          if (isNewChat(listed ?? chat.session, assistantId)) document.getElementById("composer-input")?.focus();
          else chat.switchTo(assistantId ? { assistant_id: assistantId } : {});
        }}
        onRename={(id, title) => void chat.rename(id, title)}
        onDelete={(id) => void chat.remove(id)}
        onLoadMore={() => void sessions.loadMore()}
        onOpenHit={(hit) => {
          // The message found takes focus.
          overlays.closeSidebar(null);
          void jump.jumpTo(hit);
        }}
      />
      {sidebarOpen && <div class="scrim" aria-hidden="true" onClick={() => overlays.closeSidebar()} />}
      <main class="chat-main" ref={overlays.main} aria-label={i18n.t("chat.region")}>
        <ChatHeader
          session={listed ?? chat.session}
          assistants={assistants}
          sidebarOpen={sidebarOpen}
          onToggleSidebar={overlays.toggleSidebar}
          timelineSupported={timelineSupported}
          timelineOpen={timelineOpen}
          onToggleTimeline={overlays.toggleTimeline}
          onSignOut={signOut}
        />
        <ConnectionBanner status={status} />
        <MessageList
          state={chat.state}
          pending={chat.pending}
          focus={jump.focus?.threadId === threadId ? jump.focus : undefined}
          onLoadOlder={() => void chat.sync?.loadOlder()}
          isOwnRun={chat.isOwnRun}
          onWithdraw={(runId) =>
            void chat.withdraw(runId).then((text) => {
              if (text) setDraft((current) => (current.trim() ? `${text}\n\n${current}` : text));
              // Its bubble (and the button) left; the text is in the box now.
              focusComposer();
            })
          }
          onRegenerate={
            isSettled(chat.state) && chat.pending.length === 0 && timelineSupported
              ? () => {
                  // The button leaves while the reply runs again.
                  focusComposer();
                  void chat.regenerate();
                }
              : undefined
          }
          onRetry={(runId) => {
            // Only the newest turn: a replay from an older message would drop every turn after it.
            const message = runUserMessage(chat.state, runId);
            if (!message || running || !isNewestTurn(chat.state, runId)) return undefined;
            return () => {
              // The card with the button leaves as the run starts again.
              focusComposer();
              void chat.retryRun(message.id).then((replayed) => (replayed ? undefined : submit(message.content)));
            };
          }}
        />
        {chat.state.pausedBefore.length > 0 && !running && <BreakpointBar nodes={chat.state.pausedBefore} onContinue={chat.proceed} />}
        {chat.state.interrupts.map((interrupt) => (
          interrupt.kind === "question" ? (
            <QuestionCard key={interrupt.id} interrupt={interrupt} onRespond={(answer) => chat.respond(interrupt.id, answer)} />
          ) : (
            <ApprovalCard key={interrupt.id} interrupt={interrupt} onRespond={(decision) => chat.respond(interrupt.id, { ...decision })} />
          )
        ))}
        {chat.problem && (
          <div class="run-error composer-error" role="alert">
            <span>{chat.problem.message(i18n)}</span>
            <button type="button" class="icon-button" aria-label={i18n.t("common.dismiss")} onClick={chat.clearProblem}>
              <CloseIcon />
            </button>
          </div>
        )}
        <Announcer text={announcement} />
        <Composer value={draft} onInput={setDraft} onSend={send} onStop={() => void chat.stop()} running={running} disabled={!chat.session} />
      </main>
      {timelineOpen && timelineSupported && threadId && (
        <TimelinePanel
          client={client}
          threadId={threadId}
          title={(listed ?? chat.session)?.title ?? null}
          revision={running ? undefined : chat.state.lastSeq}
          onClose={overlays.closeTimeline}
          onForked={(forkedId) => chat.switchTo({ thread_id: forkedId })}
        />
      )}
    </div>
  );
}

/**
 * Whether the open session already is the new chat asked for: blank (`isBlankSession`) and of that assistant
 * (`chat` when none is picked). *+ New chat* there makes no other blank session, which the list would hide anyway.
 */
function isNewChat(session: Session | undefined, assistantId: string | undefined): boolean {
  return session !== undefined && isBlankSession(session) && session.assistant_id === (assistantId ?? "chat");
}
