import { type Request, type Response, Router } from "express";
import { z } from "zod";
import { replayThenLive } from "../../events/replay-then-live.js";
import type { ThreadEvent } from "../../events/thread-event.js";
import type { ThreadDeletedNotice } from "../../events/thread-deleted-notice.js";
import type { Run } from "../../runs/run.js";
import type { Services } from "../../services.js";
import { currentUser, param } from "../request-context.js";
import { serveRunStream } from "../runs/run-stream.js";
import { DEFAULT_JOIN_STREAM_MODES, queryList, streamModeListSchema, toStreamModes } from "../runs/stream-modes.js";
import { formatEventId, parseEventId, STREAM_START } from "../sse/event-position.js";
import { openSse } from "../sse/open-sse.js";

const queryFlag = z.enum(["0", "1", "true", "false"]).transform((value) => value === "1" || value === "true");

const joinStreamQuery = z.object({
  stream_mode: queryList(streamModeListSchema).optional(),
  cancel_on_disconnect: queryFlag.default(false),
});

// LangGraph's thread stream modes; Threadline's thread stream always carries its own events (see docs).
const threadStreamMode = z.enum(["run_modes", "lifecycle", "state_update"]);
const threadStreamQuery = z.object({ stream_mode: queryList(z.union([threadStreamMode, z.array(threadStreamMode).max(3)])).optional() });

/** SSE streams that survive: join a run's stream, or follow a whole thread; both resume from `Last-Event-ID`. */
export function streamRoutes(services: Services): Router {
  const router = Router();

  router.get("/threads/:thread_id/runs/:run_id/stream", async (request, response) => {
    const userId = currentUser(response).id;
    await joinRunStream(services, request, response, () => services.runs.get(userId, param(request, "thread_id"), param(request, "run_id")));
  });

  // The SDK's `runs.joinStream(null, runId)`: a stateless run's stream (or any of the caller's runs) by its id alone.
  router.get("/runs/:run_id/stream", async (request, response) => {
    const userId = currentUser(response).id;
    await joinRunStream(services, request, response, () => services.runs.getById(userId, param(request, "run_id")));
  });

  router.get("/threads/:thread_id/stream", async (request, response) => {
    await followThread(services, request, response);
  });

  return router;
}

/** Join a run's SSE stream: from `Last-Event-ID` (or its start), in the query's stream modes, until it ends. */
async function joinRunStream(services: Services, request: Request, response: Response, findRun: () => Promise<Run>): Promise<void> {
  const query = joinStreamQuery.parse(request.query);
  const after = parseEventId(request.get("Last-Event-ID")) ?? STREAM_START;
  const run = await findRun();
  await serveRunStream(services, response, {
    userId: currentUser(response).id,
    run,
    modes: toStreamModes(query.stream_mode, DEFAULT_JOIN_STREAM_MODES),
    after,
    cancelOnDisconnect: query.cancel_on_disconnect,
  });
}

/**
 * Every event of a thread, as Threadline names them (`run.started`, `message.delta`, …), with the event's
 * seq as SSE id. With `Last-Event-ID` (`0` for the whole history) stored events after it come first, then
 * live ones; without it, live events from now on. The stream stays open until the client leaves, or until the
 * thread is deleted: a last `thread.deleted` event, then the stream ends.
 */
async function followThread(services: Services, request: Request, response: Response): Promise<void> {
  threadStreamQuery.parse(request.query);
  const userId = currentUser(response).id;
  const threadId = param(request, "thread_id");
  const after = parseEventId(request.get("Last-Event-ID"));
  await services.sessions.get(userId, threadId);
  const writer = openSse(services, response);
  await new Promise<void>((resolve) => {
    const subscription = replayThenLive({
      bus: services.bus,
      threadId,
      since: after ? Math.max(after.seq, 0) : -1,
      replay: after ? (since, limit) => services.eventLog.listSince(threadId, since, { limit }) : () => Promise.resolve([]),
      // Read again once subscribed: a delete between the read above and the subscription would leave it silent.
      exists: () => services.sessions.exists(userId, threadId),
      onEvent: (event) => writer.send(toSseEvent(event)),
      onError: (error) => {
        services.logger.warn({ err: error, threadId }, "thread stream failed");
        writer.send({ event: "error", data: { error: "internal", message: "The stream failed; reconnect with Last-Event-ID to resume" } });
        writer.end();
      },
      // The last event: framed like the others but without an id (it is not in the log, nothing resumes after it).
      onDeleted: (notice) => {
        writer.send({ event: notice.event, data: toSseEvent(notice).data });
        writer.end();
      },
    });
    writer.onClose(() => {
      subscription.stop();
      resolve();
    });
  });
}

function toSseEvent(event: ThreadEvent | ThreadDeletedNotice): { event: string; id: string; data: unknown } {
  const { thread_id: threadId, run_id: runId, seq, created_at: createdAt } = event;
  return { event: event.event, id: formatEventId({ seq, index: 0 }), data: { thread_id: threadId, run_id: runId, seq, event: event.event, data: event.data, created_at: createdAt } };
}
