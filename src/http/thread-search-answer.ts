import type { Services } from "../services.js";
import { assertSupportedThreadSearch, readsState, type SearchThreadsRequest, selectFields } from "./search-schemas.js";
import { extractValue, parseExtractPath } from "./thread-extract.js";
import { toThreadResponse } from "./thread-response.js";

/**
 * LangGraph Platform's `POST /threads/search` answer for one user: the matching threads, each with its current
 * `values` and `interrupts` (as `GET /threads/{id}` gives them), cut to `select`, and with `extracted` when `extract`
 * is given. Threads do not store their values: the page's states are read together (`ThreadStateService.latestStates`),
 * and not at all when `select` and `extract` leave `values` and `interrupts` out.
 */
export async function threadSearchAnswer(services: Services, userId: string, request: SearchThreadsRequest): Promise<Record<string, unknown>[]> {
  assertSupportedThreadSearch(request);
  const sessions = await services.sessions.search(userId, request);
  const states = readsState(request) ? await services.threadState.latestStates(userId, sessions) : undefined;
  const answers: Record<string, unknown>[] = [];
  for (const session of sessions) {
    // No state for a thread whose graph is no longer declared: it is still listed, with `values` null.
    const state = states?.get(session.thread_id);
    const thread = state ? toThreadResponse(session, state.values, state.tasks) : toThreadResponse(session);
    const answer = selectFields(thread, request.select);
    if (request.extract) answer.extracted = extracted(thread, request.extract);
    answers.push(answer);
  }
  return answers;
}

/** Alias → the value at its path in the whole thread (before `select`), null where the path leads nowhere. */
function extracted(thread: Record<string, unknown>, extract: Record<string, string>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(extract).map(([alias, path]) => [alias, extractValue(thread, parseExtractPath(path) ?? [])]));
}
