import { useEffect, useLayoutEffect, useRef, useState } from "preact/hooks";
import { useI18n } from "../i18n/i18n-context.js";
import { awaitsReply, buildTimeline } from "../state/chat-timeline.js";
import { isQueued, type ThreadState } from "../state/thread-state.js";
import type { MessageFocus } from "../state/use-message-jump.js";
import { MessageBubble, PendingBubble, StreamingBubble, ThinkingBubble } from "./message-bubble.js";
import { ReplayDivider } from "./replay-divider.js";
import { RunErrorCard } from "./run-error-card.js";

/** How long a message opened from search stays highlighted. */
const FOUND_HIGHLIGHT_MS = 2500;

/**
 * The conversation, kept scrolled to the newest message unless the user scrolled up to read, or a message was
 * asked for (`focus`, from search): that one is scrolled to, focused and highlighted briefly.
 */
export function MessageList(props: {
  state: ThreadState;
  pending: { key: string; text: string; runId?: string }[];
  focus: MessageFocus | undefined;
  onRetry: (runId: string) => (() => void) | undefined;
  /** Withdraw this tab's queued message (its run id). */
  onWithdraw: (runId: string) => void;
  /** Whether this tab sent the message a run answers: its queued message offers Withdraw, after a reload too. */
  isOwnRun: (runId: string) => boolean;
  /** Generate the newest reply again; undefined while anything runs, waits or is queued. */
  onRegenerate: (() => void) | undefined;
  onLoadOlder: () => void;
}) {
  const { state, pending, focus } = props;
  const { t } = useI18n();
  const scroller = useRef<HTMLDivElement>(null);
  const stickToBottom = useRef(true);
  const [found, setFound] = useState<string | undefined>(undefined);
  const focusHandled = useRef(0);
  const foundTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const items = buildTimeline(state);
  // Runs queued from another window (or before this tab knew its own run id, or before a reload) have no pending
  // entry here.
  const queuedElsewhere = state.queued.filter(
    (queued) => !pending.some((entry) => entry.runId === queued.run_id || (entry.runId === undefined && entry.text === queued.text)),
  );

  // The user's own send brings the conversation back to the bottom, wherever they had scrolled to.
  const newestPending = pending.at(-1)?.key;
  useLayoutEffect(() => {
    if (newestPending !== undefined) stickToBottom.current = true;
  }, [newestPending]);

  useLayoutEffect(() => {
    const element = scroller.current;
    if (element && stickToBottom.current) element.scrollTop = element.scrollHeight;
  });

  useEffect(() => {
    const element = scroller.current;
    if (!element) return undefined;
    let lastTop = element.scrollTop;
    const onScroll = () => {
      // Only scrolling up lets go of the bottom. The scroller shrinking (the composer grows with a pasted text)
      // also fires scroll events far from the bottom, with scrollTop unchanged: those must not unpin it.
      const nearBottom = element.scrollHeight - element.scrollTop - element.clientHeight < 80;
      stickToBottom.current = nearBottom || (stickToBottom.current && element.scrollTop >= lastTop);
      lastTop = element.scrollTop;
    };
    // A pinned list stays at the bottom when its box or its content changes size without a render here.
    const observer = new ResizeObserver(() => {
      if (stickToBottom.current) element.scrollTop = element.scrollHeight;
      lastTop = element.scrollTop;
    });
    observer.observe(element);
    if (element.firstElementChild) observer.observe(element.firstElementChild);
    element.addEventListener("scroll", onScroll, { passive: true });
    return () => {
      observer.disconnect();
      element.removeEventListener("scroll", onScroll);
    };
  }, []);

  // The focused message may render a moment after the request (its session's state arrives separately).
  useEffect(() => {
    if (!focus || focusHandled.current === focus.request) return;
    const element = scroller.current?.querySelector<HTMLElement>(`.message[data-message-id="${CSS.escape(focus.messageId)}"]`);
    if (!element) return;
    focusHandled.current = focus.request;
    stickToBottom.current = false;
    if (focus.toolCallId) {
      const card = element.querySelector<HTMLDetailsElement>(`details[data-tool-call-id="${CSS.escape(focus.toolCallId)}"]`);
      if (card) card.open = true;
    }
    element.scrollIntoView({ block: "center" });
    // Focus follows, so keyboard and screen reader users land on the message they asked for.
    element.setAttribute("tabindex", "-1");
    element.focus({ preventScroll: true });
    setFound(focus.messageId);
    clearTimeout(foundTimer.current);
    foundTimer.current = setTimeout(() => setFound(undefined), FOUND_HIGHLIGHT_MS);
  }, [focus, state]);

  useEffect(() => () => clearTimeout(foundTimer.current), []);

  return (
    <div class="message-scroller" ref={scroller}>
      {/* Not live: pending bubbles, streamed text and history would be read out as they change. Completed replies are
          announced once by the page's announcer. */}
      <div class="message-list" role="log" aria-label={t("messages.log")} aria-live="off">
        {state.olderBefore !== null && (
          <button type="button" class="link-button load-older" onClick={props.onLoadOlder}>
            {t("messages.loadOlder")}
          </button>
        )}
        {items.length === 0 && pending.length === 0 && <p class="empty-chat">{t("messages.empty")}</p>}
        {items.map((item) => {
          if (item.kind === "message") return <MessageBubble key={item.key} message={item.message} state={state} found={item.message.id === found} />;
          if (item.kind === "streaming") {
            return <StreamingBubble key={item.key} text={item.entry.text} stopped={item.stopped} failed={item.failed} messageId={item.entry.message_id} />;
          }
          if (item.kind === "replay-divider") return <ReplayDivider key={item.key} branch={item.branch} />;
          return <RunErrorCard key={item.key} run={item.run} onRetry={props.onRetry(item.run.run_id)} />;
        })}
        {awaitsReply(state, items) && <ThinkingBubble />}
        {props.onRegenerate && endsWithReply(items) && (
          <div class="message-actions">
            <button type="button" class="link-button regenerate" onClick={props.onRegenerate}>
              <span aria-hidden="true">↻</span> {t("regenerate.button")}
            </button>
          </div>
        )}
        {pending.map((entry) => (
          <PendingBubble
            key={entry.key}
            text={entry.text}
            queued={isQueued(state, entry.runId)}
            onWithdraw={entry.runId ? () => props.onWithdraw(entry.runId ?? "") : undefined}
          />
        ))}
        {queuedElsewhere.map((queued) => (
          <PendingBubble
            key={`queued-${queued.run_id}`}
            text={queued.text}
            queued
            onWithdraw={props.isOwnRun(queued.run_id) ? () => props.onWithdraw(queued.run_id) : undefined}
          />
        ))}
      </div>
    </div>
  );
}

/** Whether the conversation ends with a reply to the user: not an assistant's greeting (`first_message`), said to no one. */
function endsWithReply(items: ReturnType<typeof buildTimeline>): boolean {
  const last = items.at(-1);
  if (last?.kind !== "message" || last.message.role !== "assistant" || last.message.tool_calls?.length) return false;
  return items.some((item) => item.kind === "message" && item.message.role === "user");
}
