import { useEffect, useRef, useState } from "preact/hooks";
import { formatDateTime } from "../i18n/intl-format.js";
import { useI18n } from "../i18n/i18n-context.js";
import type { Session } from "../protocol/protocol-types.js";
import { awaitsUser } from "../state/session-list-notice.js";
import { PencilIcon, TrashIcon } from "./icons.js";
import { relativeTime } from "./relative-time.js";

/** One session in the sidebar: select it, rename it in place, or ask to delete it. */
export function SessionListItem(props: {
  session: Session;
  current: boolean;
  onSelect: () => void;
  onRename: (title: string) => void;
  onDelete: () => void;
}) {
  const { session } = props;
  const { t, locale } = useI18n();
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState("");
  // Ending the edit unmounts the focused input, which fires its blur (a save): an Esc must stay a cancel.
  const finished = useRef(false);
  // Enter and Esc end the edit from the keyboard: focus returns to the row (leaving the field put it elsewhere).
  const refocus = useRef(false);
  const select = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (editing || !refocus.current) return;
    refocus.current = false;
    select.current?.focus();
  }, [editing]);
  const title = session.title ?? t("session.untitled");

  if (editing) {
    const finish = (save: boolean, fromKey = false) => {
      if (finished.current) return;
      finished.current = true;
      refocus.current = fromKey;
      setEditing(false);
      const next = draft.trim();
      if (save && next && next !== session.title) props.onRename(next);
    };
    return (
      <li class="session-item session-editing">
        <form
          onSubmit={(event) => {
            event.preventDefault();
            finish(true, true);
          }}
        >
          <label class="visually-hidden" for={`rename-${session.thread_id}`}>
            {t("session.titleLabel")}
          </label>
          <input
            id={`rename-${session.thread_id}`}
            class="rename-input"
            value={draft}
            maxLength={500}
            autoFocus
            onInput={(event) => setDraft(event.currentTarget.value)}
            onKeyDown={(event) => {
              // An Esc that cancels an IME candidate belongs to the IME.
              if (event.key === "Escape" && !event.isComposing && event.keyCode !== 229) {
                event.stopPropagation();
                finish(false, true);
              }
            }}
            onBlur={() => finish(true)}
          />
        </form>
      </li>
    );
  }

  return (
    <li class={`session-item${props.current ? " session-current" : ""}`} data-thread-id={session.thread_id}>
      <button type="button" ref={select} class="session-select" aria-current={props.current ? "page" : undefined} onClick={props.onSelect} title={title}>
        <span class="session-title">{title}</span>
        <span class="session-meta">
          {session.status === "busy" && <span class="status-dot" role="img" aria-label={t("session.replying")} title={t("session.replying")} />}
          {awaitsUser(session) && <span class="status-dot status-waiting" role="img" aria-label={t("session.waiting")} title={t("session.waiting")} />}
          {session.status === "error" && <span class="status-dot status-failed" role="img" aria-label={t("session.failed")} title={t("session.failed")} />}
          <time dateTime={session.last_activity_at} title={formatDateTime(locale, session.last_activity_at)}>
            {relativeTime(session.last_activity_at, locale)}
          </time>
        </span>
      </button>
      <div class="session-actions">
        <button
          type="button"
          class="icon-button"
          aria-label={t("session.rename", { title })}
          onClick={() => {
            setDraft(session.title ?? "");
            finished.current = false;
            setEditing(true);
          }}
        >
          <PencilIcon />
        </button>
        <button type="button" class="icon-button" aria-label={t("session.delete", { title })} onClick={props.onDelete}>
          <TrashIcon />
        </button>
      </div>
    </li>
  );
}
