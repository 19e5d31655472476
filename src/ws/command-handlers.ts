import { AppError } from "../errors/app-error.js";
import type { Services } from "../services.js";
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
    // A subscription was checked against the thread's owner when it began (and the submission's thread lock checks
    // the owner again): only an unsubscribed thread is read first, before any of its events can reach this socket.
    const wasSubscribed = connection.isSubscribed(params.thread_id);
    const session = connection.subscribedSession(params.thread_id) ?? (await services.sessions.get(connection.user.id, params.thread_id));
    // Subscribe before submitting so the caller sees run.started and every event after it.
    if (!wasSubscribed) await connection.subscribe(params.thread_id, undefined, session);
    try {
      if (!params.input && !params.checkpoint_id) throw new AppError("invalid_request", "run.start needs input (or a checkpoint_id to replay from)");
      const { durability, ...request } = params;
      const { run, duplicate } = await services.runs.submit(connection.user.id, { ...request, ...(durability ? { config: { durability } } : {}) }, { session });
      return { run_id: run.run_id, thread_id: run.thread_id, status: run.status, duplicate };
    } catch (error) {
      if (!wasSubscribed) connection.unsubscribe(params.thread_id);
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
    const wasSubscribed = connection.isSubscribed(params.thread_id);
    const session = await services.sessions.get(connection.user.id, params.thread_id);
    if (!wasSubscribed) await connection.subscribe(params.thread_id, undefined, session);
    const { run } = await services.runs.respond(connection.user.id, params);
    return { run_id: run.run_id, thread_id: run.thread_id, status: run.status };
  },
  "state.get": (connection, params, services) => services.threadState.get(connection.user.id, params.thread_id, params.checkpoint_id),
  "state.listCheckpoints": (connection, params, services) => services.threadState.listCheckpoints(connection.user.id, params.thread_id, params),
  "state.fork": (connection, params, services) => services.forks.fork(connection.user.id, params),
  "subscription.subscribe": async (connection, params, services) => {
    const session = await services.sessions.get(connection.user.id, params.thread_id);
    const { last_seq } = await connection.subscribe(params.thread_id, params.since, session);
    return { thread_id: params.thread_id, subscribed: true, last_seq };
  },
  "subscription.unsubscribe": (connection, params) => {
    connection.unsubscribe(params.thread_id);
    return Promise.resolve({ thread_id: params.thread_id, subscribed: false });
  },
};
