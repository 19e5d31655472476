import { Router } from "express";
import { z } from "zod";
import { AppError } from "../../errors/app-error.js";
import type { Services } from "../../services.js";
import { currentUser, param } from "../request-context.js";
import { toThreadResponse } from "../thread-response.js";

const checkpointRef = z.looseObject({ checkpoint_id: z.string().min(1).max(200).nullable().optional(), checkpoint_ns: z.string().optional() });

/** `POST /threads/{id}/state` (LangGraph's update_state). */
const updateStateBody = z.object({
  values: z.union([z.record(z.string(), z.unknown()), z.array(z.unknown()), z.null()]).optional(),
  as_node: z.string().min(1).max(200).optional(),
  checkpoint_id: z.string().min(1).max(200).optional(),
  checkpoint: checkpointRef.optional(),
});

/** `POST /threads/{id}/state/checkpoint` (the SDK's getState with a checkpoint object). */
const stateAtCheckpointBody = z.object({ checkpoint: checkpointRef });

/** Writing thread state over HTTP: update it as a node, read it at a checkpoint object, copy the thread. */
export function stateRoutes(services: Services): Router {
  const router = Router();

  router.post("/threads/:thread_id/state", async (request, response) => {
    const userId = currentUser(response).id;
    const threadId = param(request, "thread_id");
    const body = updateStateBody.parse(request.body ?? {});
    const checkpointId = body.checkpoint_id ?? body.checkpoint?.checkpoint_id ?? undefined;
    // A busy thread is refused (thread_busy) under the thread's lock, inside the edit's transaction.
    const checkpoint = await services.stateEdits
      .update(userId, threadId, { values: body.values ?? null, as_node: body.as_node, checkpoint_id: checkpointId })
      .catch((error: unknown) => {
        throw isGraphUpdateError(error) ? new AppError("invalid_request", error.message) : error;
      });
    // `checkpoint` is LangGraph Platform's answer; the SDK's typings expect the config (`configurable`).
    response.json({ checkpoint: { ...checkpoint, checkpoint_map: null }, configurable: checkpoint });
  });

  router.post("/threads/:thread_id/state/checkpoint", async (request, response) => {
    const body = stateAtCheckpointBody.parse(request.body ?? {});
    const checkpointId = body.checkpoint.checkpoint_id ?? undefined;
    response.json(await services.threadState.get(currentUser(response).id, param(request, "thread_id"), checkpointId));
  });

  router.post("/threads/:thread_id/copy", async (request, response) => {
    const userId = currentUser(response).id;
    const session = await services.forks.fork(userId, { thread_id: param(request, "thread_id") });
    const state = await services.threadState.get(userId, session.thread_id);
    response.json(toThreadResponse(session, state.values));
  });

  return router;
}

/** LangGraph's own refusals of an update (unknown node, wrong value shape) are the caller's mistake. */
function isGraphUpdateError(error: unknown): error is Error {
  return error instanceof Error && (error.name === "InvalidUpdateError" || error.name === "EmptyInputError" || typeof (error as { lc_error_code?: unknown }).lc_error_code === "string");
}
