import type { Assistant, Session } from "../protocol/protocol-types.js";
import { useI18n } from "../i18n/i18n-context.js";
import { MenuIcon } from "./icons.js";
import { LanguageSwitch } from "./language-switch.js";
import { ThemeToggle } from "./theme-toggle.js";

/** The bar above the chat: sidebar toggle (narrow screens), session title and assistant, panel, language, theme and account controls. */
export function ChatHeader(props: {
  session: Session | undefined;
  assistants: Assistant[];
  sidebarOpen: boolean;
  onToggleSidebar: () => void;
  timelineSupported: boolean;
  timelineOpen: boolean;
  onToggleTimeline: () => void;
  onSignOut: (() => void) | undefined;
}) {
  const { t } = useI18n();
  const assistant = props.assistants.find((candidate) => candidate.assistant_id === props.session?.assistant_id);
  return (
    <header class="chat-header">
      <button
        type="button"
        class="icon-button menu-button"
        aria-label={t("header.sessions")}
        aria-controls="session-sidebar"
        aria-expanded={props.sidebarOpen}
        onClick={props.onToggleSidebar}
      >
        <MenuIcon />
      </button>
      <div class="chat-title">
        <h1>{props.session?.title ?? t("session.untitled")}</h1>
        {assistant && (
          <span class="assistant-label">
            {assistant.name}
            {assistant.context?.model ? ` · ${assistant.context.model}` : ""}
          </span>
        )}
      </div>
      {props.timelineSupported && (
        <button type="button" class="button timeline-button" aria-pressed={props.timelineOpen} onClick={props.onToggleTimeline}>
          {t("header.timeline")}
        </button>
      )}
      <LanguageSwitch />
      <ThemeToggle />
      {props.onSignOut && (
        <button type="button" class="button" onClick={props.onSignOut}>
          {t("header.signOut")}
        </button>
      )}
    </header>
  );
}
