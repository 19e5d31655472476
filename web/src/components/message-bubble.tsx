import type { ComponentChildren } from "preact";
import { useI18n } from "../i18n/i18n-context.js";
import { formatDateTime } from "../i18n/intl-format.js";
import type { TranscriptMessage } from "../protocol/protocol-types.js";
import { type ThreadState, toolCallView } from "../state/thread-state.js";
import { MarkdownContent } from "./markdown-content.js";
import { ToolCallCard } from "./tool-call-card.js";

/**
 * A completed message: the user's as plain text, the assistant's as Markdown with its tool calls. A message with a
 * speaker's `name` (an imported group chat, a run input naming its speaker) shows the name above its text: without
 * it every participant of such a chat read as "you".
 */
export function MessageBubble({ message, state, found }: { message: TranscriptMessage; state: ThreadState; found?: boolean }) {
  const { t } = useI18n();
  const speaker = message.name?.trim() || undefined;
  if (message.role === "user") {
    return (
      <Bubble role="user" label={speaker ?? t("role.you")} speaker={speaker} messageId={message.id} found={found}>
        <div class="plain-text">{message.content}</div>
        <EditedBadge message={message} />
      </Bubble>
    );
  }
  return (
    <Bubble role="assistant" label={speaker ?? t("role.assistant")} speaker={speaker} messageId={message.id} found={found}>
      {message.content && <MarkdownContent text={message.content} />}
      {message.tool_calls?.map((call) => <ToolCallCard key={call.id} tool={toolCallView(state, call, message)} />)}
      {(message.status === "truncated" || message.status === "refused") && <div class="stopped-badge reply-ending">{t(message.status === "truncated" ? "message.truncated" : "message.refused")}</div>}
      <EditedBadge message={message} />
    </Bubble>
  );
}

/** "edited" under a message a state edit replaced, with when in its tooltip. */
function EditedBadge({ message }: { message: TranscriptMessage }) {
  const { t, locale } = useI18n();
  if (!message.edited_at) return null;
  return (
    <div class="stopped-badge edited-badge" title={t("message.editedAt", { time: formatDateTime(locale, message.edited_at) })}>
      {t("message.edited")}
    </div>
  );
}

/** An assistant reply still arriving token by token, or cut short: stopped, or cut off by a failure (`failed`). */
export function StreamingBubble({ text, stopped, failed = false, messageId }: { text: string; stopped: boolean; failed?: boolean; messageId: string }) {
  const { t } = useI18n();
  return (
    <Bubble role="assistant" label={t("role.assistant")} messageId={messageId} streaming={!stopped}>
      <MarkdownContent text={text} />
      {stopped ? <div class="stopped-badge">{t(failed ? "message.cutOff" : "message.stopped")}</div> : <span class="cursor" aria-hidden="true" />}
    </Bubble>
  );
}

/** Where the reply will be while the model works before its first token ("Thinking…", animated dots). */
export function ThinkingBubble() {
  const { t } = useI18n();
  // Not a `.message-assistant`: no reply exists yet, and what reads the replies (search, copy, tests) must not see one.
  return (
    <article class="message message-thinking" aria-busy="true">
      <h3 class="visually-hidden">{t("role.assistant")}</h3>
      <div class="bubble">
        <span class="thinking">{t("message.thinking")}</span>
        <span class="thinking-dots" aria-hidden="true">
          <span>.</span>
          <span>.</span>
          <span>.</span>
        </span>
      </div>
    </article>
  );
}

/**
 * The user's message before its run has started: just sent, or queued behind the reply in progress — which this
 * tab's own queued messages offer to withdraw (`onWithdraw`: the text goes back into the message box).
 */
export function PendingBubble({ text, queued, onWithdraw }: { text: string; queued: boolean; onWithdraw?: () => void }) {
  const { t } = useI18n();
  return (
    <Bubble role="user" label={t("role.you")} pending>
      <div class="plain-text">{text}</div>
      {queued && (
        <div class="queued-badge">
          {t("message.queued")}
          {onWithdraw && (
            <button type="button" class="link-button withdraw" onClick={onWithdraw}>
              {t("message.withdraw")}
            </button>
          )}
        </div>
      )}
    </Bubble>
  );
}

function Bubble(props: {
  role: "user" | "assistant";
  label: string;
  /** A named speaker, shown above the text. */
  speaker?: string | undefined;
  messageId?: string;
  streaming?: boolean;
  pending?: boolean;
  /** Just opened from search: highlighted for a moment. */
  found?: boolean;
  children: ComponentChildren;
}) {
  const classes = ["message", `message-${props.role}`, props.streaming ? "message-streaming" : "", props.pending ? "message-pending" : "", props.found ? "message-found" : ""];
  return (
    <article class={classes.filter(Boolean).join(" ")} data-role={props.role} data-message-id={props.messageId} aria-busy={props.streaming ? "true" : undefined}>
      <h3 class="visually-hidden">{props.label}</h3>
      <div class="bubble">
        {props.speaker !== undefined && (
          <div class="speaker" aria-hidden="true">
            {props.speaker}
          </div>
        )}
        {props.children}
      </div>
    </article>
  );
}
