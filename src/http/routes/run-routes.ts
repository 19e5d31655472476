import { type Response, Router } from "express";
import { z } from "zod";
import { CREDENTIALS_REVOKED_MESSAGE } from "../../auth/credential-verdict.js";
import { AppError } from "../../errors/app-error.js";
import type { Run } from "../../runs/run.js";
import type { Services } from "../../services.js";
import { watchCredential } from "../credential-watch.js";
import { queryInteger } from "../query-integer.js";
import { selectFields } from "../search-schemas.js";
import { currentUser, param } from "../request-context.js";
import { clientLeftOnItsOwn } from "../runs/client-gone.js";
import { parseRunBody, type RunPlan } from "../runs/run-request.js";
import { runPath, toRunResponse } from "../runs/run-response.js";
import { serveRunStream } from "../runs/run-stream.js";
import { submitStatelessRun, submitThreadRun } from "../runs/run-submitter.js";
import { disconnectSignal, finalValues, respondWhenDone, waitForRun } from "../runs/run-waiter.js";
import { deleteThread, deleteWhenFinished } from "../runs/stateless-cleanup.js";
import { DEFAULT_RUN_STREAM_MODES } from "../runs/stream-modes.js";
import { STREAM_START } from "../sse/event-position.js";

const queryFlag = z.enum(["0", "1", "true", "false"]).transform((value) => value === "1" || value === "true");

/** Every field LangGraph's `RunSelectField` names (`@langchain/langgraph-sdk` schema): what `runs.list` may select. */
const RUN_SELECT_FIELDS = ["run_id", "thread_id", "assistant_id", "created_at", "updated_at", "status", "metadata", "kwargs", "multitask_strategy", "cancel_reason"] as const;

// Strict, as the search bodies are: a parameter we do not know answers 400 rather than a list it did not ask for.
const listRunsQuery = z.strictObject({
  limit: queryInteger({ min: 1, max: 1000 }).default(10),
  offset: queryInteger({ min: 0 }).default(0),
  status: z.enum(["pending", "running", "success", "error", "interrupted", "cancelled", "timeout"]).optional(),
  // The SDK repeats the parameter (`?select=run_id&select=status`); one field comes as a plain string.
  select: z
    .union([z.string(), z.array(z.string())])
    .transform((select) => (Array.isArray(select) ? select : [select]))
    .pipe(z.array(z.enum(RUN_SELECT_FIELDS)).min(1))
    .optional(),
});

const cancelQuery = z.object({
  wait: queryFlag.default(false),
  // As LangGraph Platform's: `interrupt` (its default, and what the SDK sends) stops the run keeping its progress,
  // which ends `interrupted` and can be continued; `cancel` (Threadline's) ends it `cancelled`.
  action: z.enum(["interrupt", "rollback", "cancel"]).default("interrupt"),
  reason: z.string().max(200).optional(),
});

const joinQuery = z.object({ cancel_on_disconnect: queryFlag.default(false) });

/** `/threads/{id}/runs…` and stateless `/runs…`: LangGraph Platform's run endpoints, scoped to the caller. */
export function runRoutes(services: Services): Router {
  const router = Router();

  router.post("/threads/:thread_id/runs", async (request, response) => {
    const plan = parseRunBody(request.body, DEFAULT_RUN_STREAM_MODES);
    const run = await submitThreadRun(services, { userId: currentUser(response).id, threadId: param(request, "thread_id") }, plan);
    response.set("Content-Location", runPath(run)).json(toRunResponse(run));
  });

  router.post("/threads/:thread_id/runs/stream", async (request, response) => {
    const userId = currentUser(response).id;
    const plan = parseRunBody(request.body, DEFAULT_RUN_STREAM_MODES);
    const run = await submitThreadRun(services, { userId, threadId: param(request, "thread_id") }, plan);
    await serveRunStream(services, response, { userId, run, modes: plan.streamModes, after: STREAM_START, cancelOnDisconnect: plan.onDisconnect === "cancel" });
  });

  router.post("/threads/:thread_id/runs/wait", async (request, response) => {
    const userId = currentUser(response).id;
    const plan = parseRunBody(request.body, DEFAULT_RUN_STREAM_MODES);
    const run = await submitThreadRun(services, { userId, threadId: param(request, "thread_id") }, plan);
    await answerWhenFinished(services, { response, userId, run, plan, headersAtOnce: true });
  });

  router.get("/threads/:thread_id/runs", async (request, response) => {
    const { select, ...query } = listRunsQuery.parse(request.query);
    const runs = await services.runs.list(currentUser(response).id, param(request, "thread_id"), query);
    response.json(runs.map((run) => selectFields(toRunResponse(run), select)));
  });

  router.get("/threads/:thread_id/runs/:run_id", async (request, response) => {
    response.json(toRunResponse(await services.runs.get(currentUser(response).id, param(request, "thread_id"), param(request, "run_id"))));
  });

  router.delete("/threads/:thread_id/runs/:run_id", async (request, response) => {
    await services.runs.delete(currentUser(response).id, param(request, "thread_id"), param(request, "run_id"));
    response.status(204).end();
  });

  router.get("/threads/:thread_id/runs/:run_id/join", async (request, response) => {
    const userId = currentUser(response).id;
    const query = joinQuery.parse(request.query);
    const run = await services.runs.get(userId, param(request, "thread_id"), param(request, "run_id"));
    await answerWhenFinished(services, { response, userId, run, cancelOnDisconnect: query.cancel_on_disconnect });
  });

  router.post("/threads/:thread_id/runs/:run_id/cancel", async (request, response) => {
    const userId = currentUser(response).id;
    const query = cancelQuery.parse(request.query);
    const target = { thread_id: param(request, "thread_id"), run_id: param(request, "run_id") };
    let run = await services.runs.cancel(userId, { ...target, action: query.action });
    if (query.wait) run = await waitForRun(services, userId, { ...target, signal: disconnectSignal(response) });
    response.status(query.wait ? 200 : 202).json(toRunResponse(run));
  });

  router.post("/runs", async (request, response) => {
    const userId = currentUser(response).id;
    const plan = parseRunBody(request.body, DEFAULT_RUN_STREAM_MODES);
    const run = await submitStatelessRun(services, userId, plan);
    if (plan.onCompletion === "delete") deleteWhenFinished(services, userId, run);
    response.set("Content-Location", runPath(run)).json(toRunResponse(run));
  });

  router.post("/runs/stream", async (request, response) => {
    const userId = currentUser(response).id;
    const plan = parseRunBody(request.body, DEFAULT_RUN_STREAM_MODES);
    const run = await submitStatelessRun(services, userId, plan);
    const ended = await serveRunStream(services, response, { userId, run, modes: plan.streamModes, after: STREAM_START, cancelOnDisconnect: plan.onDisconnect === "cancel" });
    if (plan.onCompletion !== "delete") return;
    if (ended) await deleteThread(services, userId, await waitForRun(services, userId, run));
    // After a shutdown cut the stream the run resumes elsewhere; its thread is left to the TTL sweeper.
    else if (clientLeftOnItsOwn(response)) deleteWhenFinished(services, userId, run);
  });

  router.post("/runs/wait", async (request, response) => {
    const userId = currentUser(response).id;
    const plan = parseRunBody(request.body, DEFAULT_RUN_STREAM_MODES);
    const run = await submitStatelessRun(services, userId, plan);
    await answerWhenFinished(services, { response, userId, run, plan, headersAtOnce: true, deleteAfter: plan.onCompletion === "delete" });
  });

  return router;
}

interface FinishedAnswer {
  response: Response;
  userId: string;
  run: Run;
  plan?: RunPlan;
  cancelOnDisconnect?: boolean;
  deleteAfter?: boolean;
  /**
   * Send the status line and headers now, the values when the run ends (`/wait`, as LangGraph Platform does): a client
   * reads the run's ids from `Content-Location` while it waits. A failure after that is `__error__` in the body.
   * @default false (`/join`: its status is sent at the first keep-alive newline, or with the answer)
   */
  headersAtOnce?: boolean;
}

/** `/wait` and `/join`: block until the run ends, then answer the thread's final values. */
async function answerWhenFinished(services: Services, answer: FinishedAnswer): Promise<void> {
  const { response, userId, run, plan } = answer;
  const cancelOnDisconnect = answer.cancelOnDisconnect ?? plan?.onDisconnect === "cancel";
  response.set({ "Content-Location": runPath(run), Location: `${runPath(run)}/join` });
  if (answer.headersAtOnce) response.status(200).type("application/json").flushHeaders();
  const signal = disconnectSignal(response);
  signal.addEventListener("abort", () => {
    if (cancelOnDisconnect && clientLeftOnItsOwn(response)) {
      services.runs
        .cancel(userId, { thread_id: run.thread_id, run_id: run.run_id, action: "cancel" })
        .catch((error: unknown) => services.logger.warn({ err: error, runId: run.run_id }, "cancel on disconnect failed"));
    }
    if (answer.deleteAfter) deleteWhenFinished(services, userId, run);
  });
  const work = (async () => {
    const finished = await waitForRun(services, userId, { thread_id: run.thread_id, run_id: run.run_id, signal });
    if (signal.aborted) return null;
    const values = await finalValues(services, userId, finished);
    if (answer.deleteAfter) await deleteThread(services, userId, finished);
    return values;
  })();
  // A long wait ends `unauthorized` when its key is revoked or its token expires meanwhile (the run goes on).
  let stopWatching = () => undefined as void;
  const revoked = new Promise<never>((_resolve, reject) => {
    stopWatching = watchCredential(services, response, () => reject(new AppError("unauthorized", CREDENTIALS_REVOKED_MESSAGE)));
  });
  try {
    await respondWhenDone(response, Promise.race([work, revoked]));
  } finally {
    stopWatching();
  }
}
