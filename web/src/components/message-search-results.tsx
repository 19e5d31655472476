import type { SearchHit } from "../protocol/protocol-types.js";
import type { MessageSearch } from "../state/use-message-search.js";
import { MessageSearchHit } from "./message-search-hit.js";

/**
 * The sidebar's "Messages" section while searching: hits from every session, each opening its session at that
 * message. Hidden while the query is too short and on servers without `messages.search`.
 */
export function MessageSearchResults(props: { search: MessageSearch; onOpen: (hit: SearchHit) => void }) {
  const { search } = props;
  if (search.status === "idle" || search.status === "unsupported") return null;
  const results = search.status === "done" || search.status === "searching" ? search.results : undefined;
  const hits = results?.hits ?? [];
  return (
    <section class="message-search" aria-labelledby="message-search-heading" aria-busy={search.status === "searching"}>
      <h2 id="message-search-heading" class="sidebar-heading">
        Messages
      </h2>
      {hits.length > 0 && results && (
        <ul class="search-hits" aria-labelledby="message-search-heading">
          {hits.map((hit) => (
            <li key={`${hit.thread_id}:${hit.id}`}>
              <MessageSearchHit hit={hit} query={results.query} onOpen={() => props.onOpen(hit)} />
            </li>
          ))}
        </ul>
      )}
      <p class={`search-status${search.status === "failed" ? " search-error" : ""}${search.status === "done" && hits.length > 0 ? " visually-hidden" : ""}`} role="status">
        {statusText(search, hits.length)}
      </p>
    </section>
  );
}

function statusText(search: MessageSearch, shown: number): string {
  switch (search.status) {
    case "failed":
      return `Message search failed: ${search.message}`;
    case "searching":
      return shown === 0 ? "Searching messages…" : "";
    case "done":
      return shown === 0 ? "No messages match." : `${shown} matching message${shown === 1 ? "" : "s"}`;
    case "idle":
    case "unsupported":
      return "";
  }
}
