import { Router } from "express";
import { DEFAULT_ASSISTANT_ID } from "../../assistants/assistant.js";
import { z } from "zod";
import { AppError, toAppError } from "../../errors/app-error.js";
import { assertOutboundUrl, outboundPolicyFromConfig } from "../../outbound/outbound-policy.js";
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
    await checkBatch(services, userId, plans);
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
      throw inBatch(index, error);
    }
  });
}

/**
 * Every run of the batch checked as its submission would check it — its assistant, settings, breakpoints, input
 * and webhook — before any is created: a run that starts acts (its tools, the store), so a batch refused after
 * some of its runs started could not be taken back. A batch run has a thread of its own: nothing to resume there,
 * no checkpoint to start from.
 */
async function checkBatch(services: Services, userId: string, plans: RunPlan[]): Promise<void> {
  for (const [index, plan] of plans.entries()) {
    try {
      if (plan.command) throw new AppError("invalid_request", "command: a batch run has a new thread of its own, with nothing to resume");
      if (plan.checkpointId) throw new AppError("invalid_request", "checkpoint_id: a batch run has a new thread of its own, with no checkpoint to start from");
      if (plan.webhook) assertOutboundUrl(plan.webhook, outboundPolicyFromConfig(services.config), "webhook");
      await services.runs.check(userId, { assistant_id: plan.assistantId ?? DEFAULT_ASSISTANT_ID, config: plan.config, interrupt_before: plan.interruptBefore, interrupt_after: plan.interruptAfter, input: plan.input });
    } catch (error) {
      throw inBatch(index, error);
    }
  }
}

/** An error about one run of a batch, naming its index. */
function inBatch(index: number, error: unknown): AppError {
  const refused = toAppError(error);
  return new AppError(refused.code, `Run ${index} of the batch: ${refused.message}`, { details: { index, details: refused.details } });
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
 * Submit the batch's runs in order (checked already). One failing all the same (the database, say) takes back those
 * created before it: their runs rolled back, their threads deleted — what a run that had started did stays done.
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
      throw inBatch(index, error);
    }
  }
  return created;
}
