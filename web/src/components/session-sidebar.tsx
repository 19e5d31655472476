import { useState } from "preact/hooks";
import type { Assistant, Session } from "../protocol/protocol-types.js";
import { ConfirmDialog } from "./confirm-dialog.js";
import { SessionListItem } from "./session-list-item.js";

/** The user's sessions, newest activity first: search by title, start a new one, rename, delete. */
export function SessionSidebar(props: {
  sessions: Session[];
  currentId: string | undefined;
  assistants: Assistant[];
  hasMore: boolean;
  open: boolean;
  onSelect: (threadId: string) => void;
  onNew: (assistantId: string | undefined) => void;
  onRename: (threadId: string, title: string) => void;
  onDelete: (threadId: string) => void;
  onLoadMore: () => void;
}) {
  const [query, setQuery] = useState("");
  const [assistantId, setAssistantId] = useState<string | undefined>(undefined);
  const [confirming, setConfirming] = useState<Session | undefined>(undefined);
  const needle = query.trim().toLowerCase();
  const visible = needle ? props.sessions.filter((session) => (session.title ?? "new chat").toLowerCase().includes(needle)) : props.sessions;

  return (
    <nav class={`sidebar${props.open ? " sidebar-open" : ""}`} id="session-sidebar" aria-label="Sessions">
      <div class="sidebar-top">
        {props.assistants.length > 1 && (
          <>
            <label for="assistant-picker" class="field-label">
              Assistant
            </label>
            <select id="assistant-picker" class="select" value={assistantId ?? ""} onChange={(event) => setAssistantId(event.currentTarget.value || undefined)}>
              <option value="">Default</option>
              {props.assistants.map((assistant) => (
                <option key={assistant.assistant_id} value={assistant.assistant_id}>
                  {assistant.name}
                  {assistant.context?.model ? ` · ${assistant.context.model}` : ""}
                </option>
              ))}
            </select>
          </>
        )}
        <button type="button" class="button button-primary new-session" onClick={() => props.onNew(assistantId)}>
          + New chat
        </button>
        <label for="session-search" class="visually-hidden">
          Search sessions by title
        </label>
        <input id="session-search" class="search-input" type="search" placeholder="Search sessions" value={query} onInput={(event) => setQuery(event.currentTarget.value)} />
      </div>
      <ul class="session-list">
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
        {visible.length === 0 && <li class="session-empty">{needle ? "No session matches." : "No sessions yet."}</li>}
      </ul>
      {props.hasMore && (
        <button type="button" class="link-button load-more" onClick={props.onLoadMore}>
          Load more sessions
        </button>
      )}
      {confirming && (
        <ConfirmDialog
          title="Delete this session?"
          body={`“${confirming.title ?? "New chat"}” and its history will be deleted. This cannot be undone.`}
          confirmLabel="Delete"
          onCancel={() => setConfirming(undefined)}
          onConfirm={() => {
            props.onDelete(confirming.thread_id);
            setConfirming(undefined);
          }}
        />
      )}
    </nav>
  );
}
