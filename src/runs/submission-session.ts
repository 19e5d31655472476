import type { AssistantService } from "../assistants/assistant-service.js";
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
 * A run of another graph than the thread's assistant's makes its assistant the thread's: the thread's state is read
 * with its assistant's graph. A thread's assistant deleted since counts as another graph.
 */
export async function followGraph(
  deps: { assistants: Pick<AssistantService, "get">; sessions: Pick<SessionStore, "followAssistant"> },
  client: Queryable,
  change: { session: Session; assistant: Assistant },
): Promise<Session | undefined> {
  const { session, assistant } = change;
  const current = await deps.assistants.get(session.user_id, session.assistant_id, client).catch(() => undefined);
  if (current?.graph_id === assistant.graph_id) return undefined;
  return deps.sessions.followAssistant(client, { userId: session.user_id, threadId: session.thread_id }, assistant.assistant_id);
}
