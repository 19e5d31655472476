import { useI18n } from "../i18n/i18n-context.js";
import { formatDateTime } from "../i18n/intl-format.js";
import type { PlainKey } from "../i18n/translator.js";
import type { SearchHit } from "../protocol/protocol-types.js";
import { highlightSnippet } from "../state/search-highlight.js";
import { relativeTime } from "./relative-time.js";

const ROLE_LABELS: Record<SearchHit["role"], PlainKey> = { user: "role.you", assistant: "role.assistant", tool: "role.tool", system: "role.system" };

/**
 * One matching message: its session, who wrote it, the server's snippet with the query's terms marked, and
 * when. The snippet is plain text: it becomes text nodes and `<mark>` elements, never parsed HTML.
 */
export function MessageSearchHit(props: { hit: SearchHit; query: string; onOpen: () => void }) {
  const { hit } = props;
  const { t, locale } = useI18n();
  const title = hit.thread_title ?? t("session.untitled");
  const role = speakerOf(hit) ?? (hit.role === "tool" && hit.name ? t("role.toolNamed", { name: hit.name }) : t(ROLE_LABELS[hit.role]));
  const snippet = highlightSnippet(hit.snippet, props.query).map((part, index) => (part.match ? <mark key={index}>{part.text}</mark> : part.text));
  return (
    <button type="button" class="search-hit" data-thread-id={hit.thread_id} data-message-id={hit.id} onClick={props.onOpen}>
      <span class="search-hit-head">
        <span class="search-hit-title">{title}</span>
        <time dateTime={hit.created_at} title={formatDateTime(locale, hit.created_at)}>
          {relativeTime(hit.created_at, locale)}
        </time>
      </span>
      <span class="search-hit-snippet">
        <span class="search-hit-role">{t("search.rolePrefix", { role })}</span>
        {snippet}
        {hit.match === "fuzzy" && <span class="search-hit-fuzzy"> · {t("search.similar")}</span>}
      </span>
    </button>
  );
}

/** A user's or assistant's line said by a named speaker (an imported group chat) is labelled with the name. */
function speakerOf(hit: SearchHit): string | undefined {
  if (hit.role !== "user" && hit.role !== "assistant") return undefined;
  return hit.name?.trim() || undefined;
}
