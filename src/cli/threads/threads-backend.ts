import { LOCAL_USER } from "../../auth/user.js";
import { longThreadServices } from "../../memory/long-thread-services.js";
import type { SessionPage } from "../../sessions/session.js";
import { searchRequestSchema } from "../../transcript/search-request.js";
import type { SearchHit } from "../../transcript/transcript-search.js";
import { ChatConnection } from "../chat/chat-connection.js";
import { toWebSocketUrl } from "../chat/chat-options.js";
import { withServices } from "../command-context.js";
import { quiet, remoteOf, type ThreadsFlags } from "./threads-flags.js";

/** What `threadline threads list|search|delete` do, the same whether on the database or through a server. */
export interface ThreadsBackend {
  /** One page of the user's sessions, newest activity first (`thread.list`). */
  list(params: { limit: number; cursor?: string; query?: string }): Promise<SessionPage>;
  /** Ranked transcript matches across the user's threads, or within `threadIds` (`messages.search`). */
  search(params: { query: string; limit: number; threadIds?: string[] }): Promise<SearchHit[]>;
  /** Delete a thread for good (`thread.delete`): not found when it is not the user's. */
  delete(threadId: string): Promise<void>;
}

/**
 * Run `work` against the database (as `--user`, default the AUTH_MODE=none user) or, with `--url`, against a running
 * server over its WebSocket — the same methods the web page and the terminal client call, so the answers match.
 */
export async function withThreadsBackend<T>(flags: ThreadsFlags, work: (backend: ThreadsBackend) => Promise<T>): Promise<T> {
  const remote = remoteOf(flags, process.env);
  if (remote) {
    const connection = await ChatConnection.connect(toWebSocketUrl(remote.url), remote.apiKey);
    try {
      return await work({
        list: (params) => connection.call<SessionPage>("thread.list", params),
        search: async ({ query, limit, threadIds }) => (await connection.call<{ results: SearchHit[] }>("messages.search", { query, limit, thread_ids: threadIds })).results,
        delete: async (threadId) => void (await connection.call("thread.delete", { thread_id: threadId })),
      });
    } finally {
      connection.close();
    }
  }
  const userId = flags.user ?? LOCAL_USER.id;
  return withServices(quiet(flags), (services) =>
    work({
      list: (params) => services.sessions.list(userId, params),
      search: ({ query, limit, threadIds }) => {
        // The checks the WebSocket method makes, so both ways refuse the same requests.
        const checked = searchRequestSchema.safeParse({ query, limit, thread_ids: threadIds });
        if (!checked.success) throw new Error(`invalid search: ${checked.error.issues.map((issue) => `${issue.path.join(".")} ${issue.message}`).join("; ")}`);
        return longThreadServices(services).search.search({ userId, query: checked.data.query, limit: checked.data.limit, threadIds: checked.data.thread_ids });
      },
      delete: (threadId) => services.sessions.delete(userId, threadId),
    }),
  );
}
