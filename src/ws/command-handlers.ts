import { AppError } from "../errors/app-error.js";
import type { Services } from "../services.js";
import type { Session } from "../sessions/session.js";
import { runConfigFrom } from "../runs/run-config.js";
import type { ClientConnection } from "./client-connection.js";
import type { MethodName, MethodParams } from "./protocol.js";

type Handler<Name extends MethodName> = (connection: ClientConnection, params: MethodParams<Name>, services: Services) => Promise<unknown>;

/** One handler per method; each is a thin call into the shared services, scoped to the socket's user. */
export const COMMAND_HANDLERS: { [Name in MethodName]: Handler<Name> } = {
  "thread.open": async (connection, params, services) => {
    const { session, created } = await services.sessions.open(connection.user.id, params);
    return { ...session, created };
  },
  "thread.list": (connection, params, services) => services.sessions.list(connection.user.id, params),
  "thread.get": (connection, params, services) => services.sessions.get(connection.user.id, params.thread_id),
  "thread.update": (connection, params, services) =>
    services.sessions.update(connection.user.id, params.thread_id, { title: params.title, metadata: params.metadata }),
  "thread.delete": async (connection, params, services) => {
    // Every socket subscribed to the thread, this one included, gets `thread.deleted`, which ends its subscription.
    await services.sessions.delete(connection.user.id, params.thread_id);
    return { thread_id: params.thread_id, deleted: true };
  },
  "messages.list": (connection, params, services) =>
    services.sessions.messages(connection.user.id, params.thread_id, { limit: params.limit, before: params.before }),
  "run.start": async (connection, params, services) => {
    // Subscribed before submitting, so the caller sees run.started and every event after it (the submission's
    // thread lock checks the owner again).
    const { session, subscribedNow } = await ensureSubscribed(connection, services, params.thread_id);
    try {
      if (!params.input && !params.checkpoint_id) await checkContinuable(services, connection.user.id, params.thread_id);
      const { durability, stream_subgraphs: subgraphs, ...request } = params;
      const config = runConfigFrom({ durability, stream_subgraphs: subgraphs });
      const { run, duplicate } = await services.runs.submit(connection.user.id, { ...request, ...(config ? { config } : {}) }, { session });
      return { run_id: run.run_id, thread_id: run.thread_id, status: run.status, duplicate };
    } catch (error) {
      if (subscribedNow) connection.unsubscribe(params.thread_id);
      throw error;
    }
  },
  "run.cancel": async (connection, params, services) => {
    const before = await services.runs.get(connection.user.id, params.thread_id, params.run_id);
    const run = await services.runs.cancel(connection.user.id, params);
    return { run_id: run.run_id, status: run.status, cancel_requested: before.status === "pending" || before.status === "running" };
  },
  "run.get": (connection, params, services) => services.runs.get(connection.user.id, params.thread_id, params.run_id),
  "run.list": (connection, params, services) => services.runs.list(connection.user.id, params.thread_id, params),
  "input.respond": async (connection, params, services) => {
    await ensureSubscribed(connection, services, params.thread_id);
    const { run } = await services.runs.respond(connection.user.id, params);
    return { run_id: run.run_id, thread_id: run.thread_id, status: run.status };
  },
  "state.get": (connection, params, services) => services.threadState.get(connection.user.id, params.thread_id, params.checkpoint_id),
  "state.listCheckpoints": (connection, params, services) => services.threadState.listCheckpoints(connection.user.id, params.thread_id, params),
  "state.fork": (connection, params, services) => services.forks.fork(connection.user.id, params),
  "subscription.subscribe": async (connection, params, services) => {
    const { last_seq } = await connection.subscribe(params.thread_id, { since: params.since, load: () => services.sessions.get(connection.user.id, params.thread_id) });
    return { thread_id: params.thread_id, subscribed: true, last_seq };
  },
  "subscription.unsubscribe": (connection, params) => {
    connection.unsubscribe(params.thread_id);
    return Promise.resolve({ thread_id: params.thread_id, subscribed: false });
  },
};

/**
 * A `run.start` without input or checkpoint continues the graph from where it stopped: allowed only where it stopped
 * with nodes left and no question pending (a static breakpoint, or a stop by `run.cancel {action: "interrupt"}`). A
 * question is answered with `input.respond`; a finished graph has nothing to continue (the input was forgotten).
 */
async function checkContinuable(services: Services, userId: string, threadId: string): Promise<void> {
  // While a run goes on, what it will leave to continue is not known yet (two windows pressing Continue at once).
  if ((await services.sessions.get(userId, threadId)).status === "busy") throw new AppError("thread_busy", "A reply is running on this session: continue it once it has stopped");
  const state = await services.threadState.get(userId, threadId);
  if (state.interrupts.length > 0) throw new AppError("invalid_request", "This session waits for an answer to a question: answer it with input.respond (or send input)");
  if (state.next.length === 0) throw new AppError("invalid_request", "run.start needs input (or a checkpoint_id to replay from): without either it only continues a reply paused at a breakpoint, and this session has none");
}

/**
 * The thread as its owner sees it, subscribing the socket first unless it already is (`subscribedNow` says
 * whether this call did, for the caller to undo on failure). The owner check of an existing subscription was made
 * when it began (a thread's owner never changes); one still beginning is read again.
 */
async function ensureSubscribed(connection: ClientConnection, services: Services, threadId: string): Promise<{ session: Session; subscribedNow: boolean }> {
  const load = () => services.sessions.get(connection.user.id, threadId);
  if (connection.isSubscribed(threadId)) return { session: connection.subscribedSession(threadId) ?? (await load()), subscribedNow: false };
  const { session } = await connection.subscribe(threadId, { load });
  return { session, subscribedNow: true };
}
