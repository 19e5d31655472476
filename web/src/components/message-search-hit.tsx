import type { SearchHit } from "../protocol/protocol-types.js";
import { highlightSnippet } from "../state/search-highlight.js";
import { relativeTime } from "./relative-time.js";

const ROLE_LABELS: Record<SearchHit["role"], string> = { user: "You", assistant: "Assistant", tool: "Tool", system: "System" };

/**
 * One matching message: its session, who wrote it, the server's snippet with the query's terms marked, and
 * when. The snippet is plain text: it becomes text nodes and `<mark>` elements, never parsed HTML.
 */
export function MessageSearchHit(props: { hit: SearchHit; query: string; onOpen: () => void }) {
  const { hit } = props;
  const title = hit.thread_title ?? "New chat";
  const role = hit.role === "tool" && hit.name ? `${ROLE_LABELS.tool} ${hit.name}` : ROLE_LABELS[hit.role];
  return (
    <button type="button" class="search-hit" data-thread-id={hit.thread_id} data-message-id={hit.id} onClick={props.onOpen}>
      <span class="search-hit-head">
        <span class="search-hit-title">{title}</span>
        <time dateTime={hit.created_at} title={new Date(hit.created_at).toLocaleString()}>
          {relativeTime(hit.created_at)}
        </time>
      </span>
      <span class="search-hit-snippet">
        <span class="search-hit-role">{role}: </span>
        {highlightSnippet(hit.snippet, props.query).map((part, index) => (part.match ? <mark key={index}>{part.text}</mark> : part.text))}
        {hit.match === "fuzzy" && <span class="search-hit-fuzzy"> · similar</span>}
      </span>
    </button>
  );
}
