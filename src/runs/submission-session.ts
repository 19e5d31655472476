import type { Assistant } from "../assistants/assistant.js";
import type { Queryable } from "../db/database.js";
import { autoTitle, titleText } from "../sessions/auto-title.js";
import type { Session } from "../sessions/session.js";
import type { SessionStore } from "../sessions/session-store.js";
import type { Run } from "./run.js";

// What a run's submission changes about its session, in the submission's transaction (RunService.submit).

/**
 * The thread's first run titles an untitled session from its first message, for every client alike (the web page,
 * the terminal, the SDK); a message without words leaves it untitled. A graph without messages is titled from the
 * first text of its input (`{topic: "cats"}` → "cats").
 */
export async function titleFromFirstMessage(sessions: Pick<SessionStore, "titleIfUntitled">, client: Queryable, run: Run): Promise<Session | undefined> {
  const title = run.kind === "chat" ? autoTitle(titleText(run.input)) : undefined;
  return title === undefined ? undefined : sessions.titleIfUntitled(client, { userId: run.user_id, threadId: run.thread_id }, title);
}

/**
 * A run's assistant becomes its thread's (the caller calls this only when they differ), as LangGraph Platform stamps a
 * run's `assistant_id` and `graph_id` on its thread: clients list threads by them (agent-chat-ui searches
 * `{graph_id}` or `{assistant_id}`), and the thread's state is read with its assistant's graph — the one that
 * wrote it last. Later runs that name no assistant (the web page, the terminal) go on with it.
 */
export function followRunAssistant(sessions: Pick<SessionStore, "followAssistant">, client: Queryable, change: { session: Session; assistant: Assistant }): Promise<Session | undefined> {
  const { session, assistant } = change;
  return sessions.followAssistant(client, { userId: session.user_id, threadId: session.thread_id }, assistant.assistant_id);
}
