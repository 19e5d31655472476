import { useRef, useState } from "preact/hooks";
import { useI18n } from "../i18n/i18n-context.js";
import type { Assistant, SearchHit, Session } from "../protocol/protocol-types.js";
import type { RpcClient } from "../protocol/rpc-client.js";
import { useMessageSearch } from "../state/use-message-search.js";
import { moveFocusWithArrows } from "./arrow-focus.js";
import { ConfirmDialog } from "./confirm-dialog.js";
import { MessageSearchResults } from "./message-search-results.js";
import { CloseIcon } from "./icons.js";
import { SessionListItem } from "./session-list-item.js";
import { isCloseKey } from "./stop-key.js";

/** The rows arrow keys move between: sessions and message hits. */
const NAVIGABLE = ".session-select, .search-hit";

/**
 * The user's sessions, newest activity first: start a new one, rename, delete; search filters them by title and
 * finds messages of every session (opening one at the message).
 */
export function SessionSidebar(props: {
  client: RpcClient;
  sessions: Session[];
  currentId: string | undefined;
  assistants: Assistant[];
  hasMore: boolean;
  open: boolean;
  /** Close the drawer (narrow screens): its close button and Esc. */
  onClose: () => void;
  onSelect: (threadId: string) => void;
  onNew: (assistantId: string | undefined) => void;
  onRename: (threadId: string, title: string) => void;
  onDelete: (threadId: string) => void;
  onLoadMore: () => void;
  onOpenHit: (hit: SearchHit) => void;
}) {
  const { t } = useI18n();
  const untitled = t("session.untitled");
  const [query, setQuery] = useState("");
  // What messages are searched for: the box's text, but not while an IME composes it (pinyin is no query).
  const [searched, setSearched] = useState("");
  const [assistantId, setAssistantId] = useState<string | undefined>(undefined);
  const [confirming, setConfirming] = useState<Session | undefined>(undefined);
  const needle = query.trim().toLowerCase();
  const visible = needle ? props.sessions.filter((session) => (session.title ?? untitled).toLowerCase().includes(needle)) : props.sessions;
  const messageSearch = useMessageSearch(props.client, searched);
  const showsMessages = messageSearch.status !== "idle" && messageSearch.status !== "unsupported";
  const results = useRef<HTMLDivElement>(null);
  const searchInput = useRef<HTMLInputElement>(null);
  const newButton = useRef<HTMLButtonElement>(null);
  // After a delete, focus moves to the session below the deleted one (or above it), not to the page.
  const neighbourOf = (threadId: string): HTMLElement | null => {
    const item = results.current?.querySelector(`.session-item[data-thread-id="${CSS.escape(threadId)}"]`);
    const sibling = item?.nextElementSibling?.querySelector(".session-select") ?? item?.previousElementSibling?.querySelector(".session-select");
    return sibling instanceof HTMLElement ? sibling : null;
  };
  // ↓ from the search box enters the rows, ↑/↓ move between them, ↑ from the first goes back to the box.
  const arrows = (event: KeyboardEvent, fromRow: boolean) => {
    const inRow = event.target instanceof HTMLElement && event.target.matches(NAVIGABLE);
    if (!results.current || (fromRow ? !inRow : event.key !== "ArrowDown")) return;
    if (moveFocusWithArrows(event, results.current, NAVIGABLE)) event.preventDefault();
    else if (fromRow && event.key === "ArrowUp") {
      event.preventDefault();
      searchInput.current?.focus();
    }
  };

  return (
    <nav
      class={`sidebar${props.open ? " sidebar-open" : ""}`}
      id="session-sidebar"
      aria-label={t("header.sessions")}
      onKeyDown={(event) => {
        // The delete dialog has its own Esc.
        if (!props.open || !isCloseKey(event) || confirming) return;
        event.preventDefault();
        props.onClose();
      }}
    >
      <div class="sidebar-top">
        {props.open && (
          <button type="button" class="icon-button drawer-close" aria-label={t("sidebar.close")} onClick={props.onClose}>
            <CloseIcon />
          </button>
        )}
        {props.assistants.length > 1 && (
          <>
            <label for="assistant-picker" class="field-label">
              {t("sidebar.assistant")}
            </label>
            <select id="assistant-picker" class="select" value={assistantId ?? ""} onChange={(event) => setAssistantId(event.currentTarget.value || undefined)}>
              <option value="">{t("sidebar.defaultAssistant")}</option>
              {props.assistants.map((assistant) => (
                <option key={assistant.assistant_id} value={assistant.assistant_id}>
                  {assistant.name}
                  {assistant.context?.model ? ` · ${assistant.context.model}` : ""}
                </option>
              ))}
            </select>
          </>
        )}
        <button type="button" ref={newButton} class="button button-primary new-session" onClick={() => props.onNew(assistantId)}>
          {t("sidebar.newChat")}
        </button>
        <label for="session-search" class="visually-hidden">
          {t("sidebar.search")}
        </label>
        <input
          id="session-search"
          ref={searchInput}
          class="search-input"
          type="search"
          placeholder={t("sidebar.search")}
          value={query}
          maxLength={500}
          onInput={(event) => {
            setQuery(event.currentTarget.value);
            if (!(event as unknown as InputEvent).isComposing) setSearched(event.currentTarget.value);
          }}
          onCompositionEnd={(event) => setSearched(event.currentTarget.value)}
          onKeyDown={(event) => arrows(event, false)}
        />
      </div>
      <div class="sidebar-results" ref={results} onKeyDown={(event) => arrows(event, true)}>
        {showsMessages && (
          <h2 id="session-results-heading" class="sidebar-heading">
            {t("sidebar.sessionsHeading")}
          </h2>
        )}
        <ul class="session-list" aria-labelledby={showsMessages ? "session-results-heading" : undefined}>
          {visible.map((session) => (
            <SessionListItem
              key={session.thread_id}
              session={session}
              current={session.thread_id === props.currentId}
              onSelect={() => props.onSelect(session.thread_id)}
              onRename={(title) => props.onRename(session.thread_id, title)}
              onDelete={() => setConfirming(session)}
            />
          ))}
          {visible.length === 0 && <li class="session-empty">{needle ? t("sidebar.noMatch") : t("sidebar.empty")}</li>}
        </ul>
        <MessageSearchResults search={messageSearch} onOpen={props.onOpenHit} />
      </div>
      {props.hasMore && (
        <button type="button" class="link-button load-more" onClick={props.onLoadMore}>
          {t("sidebar.loadMore")}
        </button>
      )}
      {confirming && (
        <ConfirmDialog
          title={t("deleteSession.title")}
          body={t("deleteSession.body", { title: confirming.title ?? untitled })}
          confirmLabel={t("deleteSession.confirm")}
          onCancel={() => setConfirming(undefined)}
          onConfirm={() => {
            props.onDelete(confirming.thread_id);
            setConfirming(undefined);
          }}
          focusAfterConfirm={() => neighbourOf(confirming.thread_id) ?? newButton.current}
        />
      )}
    </nav>
  );
}
