import { Router } from "express";
import { z } from "zod";
import { AppError } from "../../errors/app-error.js";
import type { Services } from "../../services.js";
import { currentUser, param } from "../request-context.js";
import { toThreadResponse } from "../thread-response.js";
import { toStateResponse } from "../state-response.js";
import { stateSelectSchema } from "../state-select.js";

const checkpointRef = z.looseObject({ checkpoint_id: z.string().min(1).max(200).nullable().optional(), checkpoint_ns: z.string().optional() });

/** `POST /threads/{id}/state` (LangGraph's update_state). */
const updateStateBody = z.object({
  values: z.union([z.record(z.string(), z.unknown()), z.array(z.unknown()), z.null()]).optional(),
  as_node: z.string().min(1).max(200).optional(),
  checkpoint_id: z.string().min(1).max(200).optional(),
  checkpoint: checkpointRef.optional(),
});

/**
 * Checkpoint metadata keys a patch may not change: LangGraph reads `step`, `source`, `parents` and `writes` of the
 * checkpoint it continues from, and retention reads `source` and `run_id` (checkpoint-retention.ts).
 */
const RESERVED_CHECKPOINT_METADATA = ["step", "source", "parents", "writes", "run_id"];

/** `PATCH /threads/{id}/state` (the SDK's patchState): metadata merged into a checkpoint's. */
const patchStateBody = z.object({
  metadata: z
    .record(z.string().min(1).max(200), z.unknown())
    .refine((metadata) => Object.keys(metadata).length <= 100, "at most 100 metadata keys")
    .refine((metadata) => !RESERVED_CHECKPOINT_METADATA.some((key) => key in metadata), `metadata may not set ${RESERVED_CHECKPOINT_METADATA.join(", ")} (LangGraph and Threadline read them)`)
    // Checkpoint metadata is revived by the checkpointer's serializer on every read: an object shaped like a
    // serialized LangChain object would be instantiated, not returned as given.
    .refine((metadata) => !hasSerializedObjectShape(metadata), "metadata values may not contain objects with an \"lc\" key"),
  checkpoint_id: z.string().min(1).max(200).optional(),
  checkpoint: checkpointRef.optional(),
});

/** `POST /threads/{id}/state/checkpoint` (the SDK's getState with a checkpoint object). */
const stateAtCheckpointBody = z.object({ checkpoint: checkpointRef, select: stateSelectSchema, subgraphs: z.boolean().optional() });

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

  router.patch("/threads/:thread_id/state", async (request, response) => {
    const userId = currentUser(response).id;
    const body = patchStateBody.parse(request.body ?? {});
    const session = await services.sessions.get(userId, param(request, "thread_id"));
    const checkpointId = body.checkpoint_id ?? body.checkpoint?.checkpoint_id ?? undefined;
    const patched = await services.checkpointer.patchMetadata(session.thread_id, body.metadata, { checkpointId });
    if (!patched) throw new AppError("not_found", checkpointId ? `Checkpoint ${checkpointId} not found in thread ${session.thread_id}` : `Thread ${session.thread_id} has no checkpoint yet`);
    response.status(204).end();
  });

  router.post("/threads/:thread_id/state/checkpoint", async (request, response) => {
    const body = stateAtCheckpointBody.parse(request.body ?? {});
    const checkpointId = body.checkpoint.checkpoint_id ?? undefined;
    response.json(toStateResponse(await services.threadState.get(currentUser(response).id, param(request, "thread_id"), checkpointId), body.select));
  });

  router.post("/threads/:thread_id/copy", async (request, response) => {
    const userId = currentUser(response).id;
    const session = await services.forks.fork(userId, { thread_id: param(request, "thread_id") });
    const state = await services.threadState.get(userId, session.thread_id);
    // With its tasks: a copy of a thread waiting for an answer shows the question it waits on (`interrupts`).
    response.json(toThreadResponse(session, state.values, state.tasks));
  });

  return router;
}

/** LangGraph's own refusals of an update (unknown node, wrong value shape) are the caller's mistake. */
function isGraphUpdateError(error: unknown): error is Error {
  return error instanceof Error && (error.name === "InvalidUpdateError" || error.name === "EmptyInputError" || typeof (error as { lc_error_code?: unknown }).lc_error_code === "string");
}

/** Whether a JSON value holds an object with an `lc` key (how LangChain serializes its objects) at any depth. */
function hasSerializedObjectShape(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(hasSerializedObjectShape);
  if (value === null || typeof value !== "object") return false;
  return "lc" in value || Object.values(value).some(hasSerializedObjectShape);
}
