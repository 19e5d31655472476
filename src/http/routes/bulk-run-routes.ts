import { Router } from "express";
import { z } from "zod";
import { AppError, toAppError } from "../../errors/app-error.js";
import type { Run } from "../../runs/run.js";
import type { Services } from "../../services.js";
import { currentUser } from "../request-context.js";
import { parseRunBody, type RunPlan } from "../runs/run-request.js";
import { toRunResponse } from "../runs/run-response.js";
import { submitStatelessRun } from "../runs/run-submitter.js";
import { deleteWhenFinished } from "../runs/stateless-cleanup.js";
import { DEFAULT_RUN_STREAM_MODES } from "../runs/stream-modes.js";

/** The most runs one `POST /runs/batch` creates. */
export const MAX_BATCH_RUNS = 100;

const cancelManyBody = z
  .strictObject({
    thread_id: z.uuid().nullish(),
    run_ids: z.array(z.uuid()).min(1).max(1000).nullish(),
    status: z.enum(["pending", "running", "all"]).nullish(),
  })
  .refine((body) => body.thread_id || body.status, { message: "name the runs: thread_id (with run_ids, or all its active runs) or status" })
  .refine((body) => !body.run_ids || body.thread_id, { message: "run_ids go with their thread_id" });

const cancelManyQuery = z.object({ action: z.enum(["interrupt", "rollback", "cancel"]).default("interrupt") });

/** LangGraph's bulk run routes: `POST /runs/batch` (several stateless background runs) and `POST /runs/cancel`. */
export function bulkRunRoutes(services: Services): Router {
  const router = Router();

  router.post("/runs/cancel", async (request, response) => {
    const userId = currentUser(response).id;
    const body = cancelManyBody.parse(request.body ?? {});
    const { action } = cancelManyQuery.parse(request.query);
    const status = body.status === "all" ? undefined : (body.status ?? undefined);
    await services.runs.cancelMany(userId, { threadId: body.thread_id ?? undefined, runIds: body.run_ids ?? undefined, status }, action);
    response.status(204).end();
  });

  router.post("/runs/batch", async (request, response) => {
    const userId = currentUser(response).id;
    const plans = parseBatch(request.body);
    // One request, many runs: each spends the user's budget as its own request would (this one's is spent already).
    if (plans.length > 1) await services.rateLimiter.consume(userId, plans.length - 1);
    const runs = await submitAll(services, userId, plans);
    for (const [index, run] of runs.entries()) if (plans[index]?.onCompletion === "delete") deleteWhenFinished(services, userId, run);
    response.json(runs.map(toRunResponse));
  });

  return router;
}

/** Every run body of a batch, checked before any is created; a bad one is refused naming its index. */
function parseBatch(raw: unknown): RunPlan[] {
  if (!Array.isArray(raw) || raw.length === 0 || raw.length > MAX_BATCH_RUNS) {
    throw new AppError("invalid_request", `The body must be an array of 1 to ${MAX_BATCH_RUNS} run bodies`);
  }
  return raw.map((body, index) => {
    try {
      return parseRunBody(snakeCaseKeys(body), DEFAULT_RUN_STREAM_MODES);
    } catch (error) {
      const refused = toAppError(error);
      throw new AppError(refused.code, `Run ${index} of the batch: ${refused.message}`, { details: { index, details: refused.details } });
    }
  });
}

/**
 * A batch body with its camelCase keys as the run body's snake_case ones: the official SDK's `runs.createBatch` sends
 * its payloads as given (`onCompletion`, `afterSeconds`, `multitaskStrategy`…; only `assistant_id` is added). A key
 * given both ways keeps the snake_case one.
 */
function snakeCaseKeys(body: unknown): unknown {
  if (!body || typeof body !== "object" || Array.isArray(body)) return body;
  const out: Record<string, unknown> = {};
  const entries = Object.entries(body as Record<string, unknown>);
  for (const [key, value] of entries) if (!/[A-Z]/.test(key)) out[key] = value;
  for (const [key, value] of entries) {
    const snake = key.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
    if (snake !== key && !(snake in out)) out[snake] = value;
  }
  return out;
}

/**
 * Submit the batch's runs in order. One refused (an unknown assistant, settings its model refuses) takes back those
 * created before it — their runs cancelled, their threads deleted — so a batch is created whole or not at all.
 */
async function submitAll(services: Services, userId: string, plans: RunPlan[]): Promise<Run[]> {
  const created: Run[] = [];
  for (const [index, plan] of plans.entries()) {
    try {
      created.push(await submitStatelessRun(services, userId, plan));
    } catch (error) {
      for (const run of created) {
        await services.runs.cancel(userId, { thread_id: run.thread_id, run_id: run.run_id, action: "rollback" }).catch(() => undefined);
        await services.sessions.delete(userId, run.thread_id).catch(() => undefined);
      }
      const refused = toAppError(error);
      throw new AppError(refused.code, `Run ${index} of the batch: ${refused.message}`, { details: { index, details: refused.details } });
    }
  }
  return created;
}
