import { useEffect, useRef, useState } from "preact/hooks";
import type { SearchAnswer, SearchHit } from "../protocol/protocol-types.js";
import type { RpcClient } from "../protocol/rpc-client.js";
import { errorMessage, isMethodNotFound } from "../protocol/rpc-error.js";

/** Shortest query (in characters: "天气" counts two) that searches messages. */
export const MIN_QUERY_CHARS = 2;
/** Wait this long after the last keystroke before asking the server. */
export const SEARCH_DEBOUNCE_MS = 300;
/** Hits asked for per query. */
export const SEARCH_LIMIT = 20;
/** The server refuses longer queries. */
const MAX_QUERY_CHARS = 500;

/** Hits, best first, and the query they answer (their snippets are highlighted with its terms). */
export interface SearchResults {
  query: string;
  hits: SearchHit[];
}

/**
 * Where the message search is: `idle` (query too short), `unsupported` (the server has no `messages.search`),
 * `searching` (the previous answer stays shown meanwhile), `done`, or `failed`.
 */
export type MessageSearch =
  | { status: "idle" }
  | { status: "unsupported" }
  | { status: "searching"; results: SearchResults | undefined }
  | { status: "done"; results: SearchResults }
  | { status: "failed"; message: string };

/**
 * Search the messages of all the user's sessions as they type: debounced, and only the answer to the latest
 * query is shown (an earlier, slower answer is dropped). A server without the method is not asked again.
 */
export function useMessageSearch(client: RpcClient, typed: string): MessageSearch {
  const [search, setSearch] = useState<MessageSearch>({ status: "idle" });
  const latest = useRef(0);
  const unsupported = useRef(false);
  const query = Array.from(typed.trim()).slice(0, MAX_QUERY_CHARS).join("");

  useEffect(() => {
    const request = ++latest.current;
    if (unsupported.current) return undefined;
    if (Array.from(query).length < MIN_QUERY_CHARS) {
      setSearch({ status: "idle" });
      return undefined;
    }
    setSearch((previous) => ({ status: "searching", results: previous.status === "done" || previous.status === "searching" ? previous.results : undefined }));
    const timer = setTimeout(() => {
      client.call<SearchAnswer>("messages.search", { query, limit: SEARCH_LIMIT }).then(
        (answer) => {
          if (request === latest.current) setSearch({ status: "done", results: { query, hits: answer.results } });
        },
        (error: unknown) => {
          if (isMethodNotFound(error)) {
            unsupported.current = true;
            setSearch({ status: "unsupported" });
          } else if (request === latest.current) setSearch({ status: "failed", message: errorMessage(error) });
        },
      );
    }, SEARCH_DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [client, query]);

  return search;
}
