import { useI18n } from "../i18n/i18n-context.js";
import type { Translator } from "../i18n/translator.js";
import type { SearchHit } from "../protocol/protocol-types.js";
import type { MessageSearch } from "../state/use-message-search.js";
import { MessageSearchHit } from "./message-search-hit.js";

/**
 * The sidebar's "Messages" section while searching: hits from every session, each opening its session at that
 * message. Hidden while the query is too short and on servers without `messages.search`.
 */
export function MessageSearchResults(props: { search: MessageSearch; onOpen: (hit: SearchHit) => void }) {
  const { search } = props;
  const i18n = useI18n();
  if (search.status === "idle" || search.status === "unsupported") return null;
  const results = search.status === "done" || search.status === "searching" ? search.results : undefined;
  const hits = results?.hits ?? [];
  return (
    <section class="message-search" aria-labelledby="message-search-heading" aria-busy={search.status === "searching"}>
      <h2 id="message-search-heading" class="sidebar-heading">
        {i18n.t("search.heading")}
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
        {statusText(search, hits.length, i18n)}
      </p>
    </section>
  );
}

function statusText(search: MessageSearch, shown: number, { t }: Translator): string {
  switch (search.status) {
    case "failed":
      return t("search.failed", { error: search.message });
    case "searching":
      return shown === 0 ? t("search.searching") : "";
    case "done":
      return shown === 0 ? t("search.none") : t("search.count", { count: shown });
    case "idle":
    case "unsupported":
      return "";
  }
}
