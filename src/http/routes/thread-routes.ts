import { Router } from "express";
import { DEFAULT_ASSISTANT_ID } from "../../assistants/assistant.js";
import type { z } from "zod";
import { AppError } from "../../errors/app-error.js";
import type { Services } from "../../services.js";
import { currentUser, param } from "../request-context.js";
import { createThreadBody, historyBody, messagesQuery, patchThreadBody, stateQuery } from "../schemas.js";
import { assertSupportedThreadSearch, countThreadsBody, searchThreadsBody } from "../search-schemas.js";
import { threadSearchAnswer } from "../thread-search-answer.js";
import { toThreadResponse } from "../thread-response.js";
import { toStateResponse } from "../state-response.js";

/** `/threads…`: LangGraph Platform's thread endpoints, scoped to the caller. */
export function threadRoutes(services: Services): Router {
  const router = Router();

  router.post("/threads", async (request, response) => {
    const user = currentUser(response);
    const body = createThreadBody.parse(request.body ?? {});
    // The SDK's threads.create({graphId}) sends the graph as metadata.graph_id.
    const assistantId = body.assistant_id ?? body.graph_id ?? stringEntry(body.metadata, "assistant_id") ?? stringEntry(body.metadata, "graph_id");
    if (body.supersteps) await assertSuperstepNodes({ services, userId: user.id }, assistantId, body.supersteps);
    if (body.thread_id) {
      await services.lifecycle.assertIdReusable(body.thread_id);
      const created = await services.sessions.createWithId(user.id, { ...body, thread_id: body.thread_id, assistant_id: assistantId });
      if (created) {
        await seedSupersteps({ services, userId: user.id }, created.thread_id, body.supersteps);
        if (body.ttl) await services.lifecycle.setTtl(user.id, created.thread_id, body.ttl);
        response.json(toThreadResponse(created));
        return;
      }
      // Not created: the id is taken (the user's, or another user's: answered as a read of it would be), or the
      // window is already bound to another session.
      const existing = await services.sessions.get(user.id, body.thread_id).catch(() => undefined);
      if (!existing && body.window_id && (await services.sessions.windowBound(user.id, body.window_id))) throw new AppError("conflict", `Window ${body.window_id} already has a session; open it with thread.open, or use another window_id`);
      if (body.if_exists === "raise") throw new AppError("conflict", `Thread ${body.thread_id} already exists`);
      response.json(toThreadResponse(await services.sessions.get(user.id, body.thread_id)));
      return;
    }
    const { session, created } = await services.sessions.open(user.id, { ...body, assistant_id: assistantId });
    if (body.supersteps && !created) throw new AppError("conflict", `Window ${body.window_id ?? ""} already has a session: supersteps seed new threads only`);
    await seedSupersteps({ services, userId: user.id }, session.thread_id, body.supersteps);
    if (body.ttl) await services.lifecycle.setTtl(user.id, session.thread_id, body.ttl);
    response.json(toThreadResponse(session));
  });

  router.post("/threads/search", async (request, response) => {
    response.json(await threadSearchAnswer(services, currentUser(response).id, searchThreadsBody.parse(request.body ?? {})));
  });

  router.post("/threads/count", async (request, response) => {
    const body = countThreadsBody.parse(request.body ?? {});
    assertSupportedThreadSearch(body);
    // The SDK's `threads.count` answers the body itself: a bare JSON number.
    response.json(await services.sessions.count(currentUser(response).id, body));
  });

  router.get("/threads/:thread_id", async (request, response) => {
    const user = currentUser(response);
    const session = await services.sessions.get(user.id, param(request, "thread_id"));
    // Read as search reads it: a thread whose graph is no longer declared answers values null (it answered 404).
    const state = (await services.threadState.latestStates(user.id, [session])).get(session.thread_id);
    response.json(state ? toThreadResponse(session, state.values, state.tasks) : toThreadResponse(session));
  });

  router.patch("/threads/:thread_id", async (request, response) => {
    const body = patchThreadBody.parse(request.body ?? {});
    const user = currentUser(response);
    const session = await services.sessions.update(user.id, param(request, "thread_id"), body);
    if (body.ttl !== undefined) await services.lifecycle.setTtl(user.id, session.thread_id, body.ttl);
    response.json(toThreadResponse(session));
  });

  router.delete("/threads/:thread_id", async (request, response) => {
    await services.sessions.delete(currentUser(response).id, param(request, "thread_id"));
    response.status(204).end();
  });

  router.get("/threads/:thread_id/state", async (request, response) => {
    const { select } = stateQuery.parse(request.query);
    response.json(toStateResponse(await services.threadState.get(currentUser(response).id, param(request, "thread_id")), select));
  });

  router.get("/threads/:thread_id/state/:checkpoint_id", async (request, response) => {
    const { select } = stateQuery.parse(request.query);
    response.json(toStateResponse(await services.threadState.get(currentUser(response).id, param(request, "thread_id"), param(request, "checkpoint_id")), select));
  });

  router.post("/threads/:thread_id/history", async (request, response) => {
    const body = historyBody.parse(request.body ?? {});
    const before = typeof body.before === "string" ? body.before : body.before?.configurable.checkpoint_id;
    const { metadata, checkpoint, select } = body;
    const states = await services.threadState.history(currentUser(response).id, param(request, "thread_id"), { limit: body.limit, before, ...(metadata ? { metadata } : {}), ...(checkpoint ? { checkpoint } : {}) });
    response.json(states.map((state) => toStateResponse(state, select)));
  });

  router.get("/threads/:thread_id/messages", async (request, response) => {
    const query = messagesQuery.parse(request.query);
    response.json(await services.sessions.messages(currentUser(response).id, param(request, "thread_id"), query));
  });

  return router;
}

/** A metadata entry that is a string, else undefined. */
function stringEntry(metadata: Record<string, unknown> | undefined, key: string): string | undefined {
  const value = metadata?.[key];
  return typeof value === "string" ? value : undefined;
}

/** The pseudo-node LangGraph's bulk state update takes as "this is the graph's input". */
const INPUT_NODE = "__input__";

/** Who a route acts for: the services and the authenticated user. */
interface Caller {
  services: Services;
  userId: string;
}

/**
 * Refuse supersteps naming nodes the assistant's graph does not have before the thread exists (its id stays free).
 * `__input__` is no node but LangGraph's name for the graph's input (a thread copied step by step starts with it).
 */
async function assertSuperstepNodes({ services, userId }: Caller, assistantId: string | undefined, supersteps: NonNullable<z.infer<typeof createThreadBody>["supersteps"]>): Promise<void> {
  const graph = await services.threadState.graphForAssistant(await services.assistants.get(userId, assistantId ?? DEFAULT_ASSISTANT_ID));
  const unknown = supersteps.flatMap((step) => step.updates.map((update) => update.as_node)).filter((node) => node !== INPUT_NODE && !(node in graph.nodes));
  if (unknown.length > 0) {
    throw new AppError("invalid_request", `supersteps name nodes the graph does not have: ${[...new Set(unknown)].join(", ")} (it has ${Object.keys(graph.nodes).join(", ")})`);
  }
}

/**
 * Seed a new thread's state with LangGraph's `supersteps`: each update is a state edit (transcript and events
 * included, as `POST /threads/{id}/state` records it). A refused update removes the thread again: a thread is
 * created seeded or not at all.
 */
async function seedSupersteps({ services, userId }: Caller, threadId: string, supersteps: z.infer<typeof createThreadBody>["supersteps"]): Promise<void> {
  if (!supersteps) return;
  try {
    for (const step of supersteps) {
      for (const update of step.updates) await services.stateEdits.update(userId, threadId, { values: update.values, as_node: update.as_node });
    }
  } catch (error) {
    await services.sessions.delete(userId, threadId).catch(() => undefined);
    throw error;
  }
}
