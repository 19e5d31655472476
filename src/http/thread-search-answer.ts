import { isAppError } from "../errors/app-error.js";
import type { Services } from "../services.js";
import type { ThreadState } from "../sessions/thread-state-service.js";
import { assertSupportedThreadSearch, readsState, type SearchThreadsRequest, selectFields } from "./search-schemas.js";
import { extractValue, parseExtractPath } from "./thread-extract.js";
import { toThreadResponse } from "./thread-response.js";

/**
 * LangGraph Platform's `POST /threads/search` answer for one user: the matching threads, each cut to `select` and
 * with `extracted` when `extract` is given. Threads do not store their values, so `values` / `interrupts` (selected or
 * extracted) cost one state read per returned thread; `assertSupportedThreadSearch` keeps that to a bounded page.
 */
export async function threadSearchAnswer(services: Services, userId: string, request: SearchThreadsRequest): Promise<Record<string, unknown>[]> {
  assertSupportedThreadSearch(request);
  const sessions = await services.sessions.search(userId, request);
  const withState = readsState(request);
  const answers: Record<string, unknown>[] = [];
  // One thread at a time: the page is at most MAX_STATE_SEARCH_LIMIT and each read takes a pooled connection.
  for (const session of sessions) {
    let thread = toThreadResponse(session);
    if (withState) {
      const state = await currentState(services, userId, session.thread_id);
      // Deleted between the search and the read: it no longer matches.
      if (!state) continue;
      thread = toThreadResponse(session, state.values, state.tasks);
    }
    const answer = selectFields(thread, request.select);
    if (request.extract) answer.extracted = extracted(thread, request.extract);
    answers.push(answer);
  }
  return answers;
}

async function currentState(services: Services, userId: string, threadId: string): Promise<ThreadState | undefined> {
  try {
    return await services.threadState.get(userId, threadId);
  } catch (error) {
    if (isAppError(error) && error.code === "not_found") return undefined;
    throw error;
  }
}

/** Alias → the value at its path in the whole thread (before `select`), null where the path leads nowhere. */
function extracted(thread: Record<string, unknown>, extract: Record<string, string>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(extract).map(([alias, path]) => [alias, extractValue(thread, parseExtractPath(path) ?? [])]));
}
