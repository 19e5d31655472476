import { isUuid } from "../../db/ids.js";
import { AppError } from "../../errors/app-error.js";
import { assertOutboundUrl, outboundPolicyFromConfig } from "../../outbound/outbound-policy.js";
import type { Run } from "../../runs/run.js";
import type { Services } from "../../services.js";
import type { RunPlan } from "./run-request.js";

/** A user's thread. */
export interface ThreadTarget {
  userId: string;
  threadId: string;
}

/**
 * Submit a run on one of the user's threads (creating the thread first with `if_not_exists: "create"`).
 * A `command.resume` that answers a pending approval goes through `runs.respond`, so the decision is
 * validated and recorded exactly as when a window answers it.
 */
export async function submitThreadRun(services: Services, target: ThreadTarget, plan: RunPlan): Promise<Run> {
  const { userId, threadId } = target;
  // Refused before anything is created, so whoever sent it hears why (delivery checks again after DNS).
  if (plan.webhook) assertOutboundUrl(plan.webhook, outboundPolicyFromConfig(services.config), "webhook");
  await ensureThread(services, target, plan);
  const ids = plan.input?.messages.flatMap((message) => (message.id !== undefined ? [message.id] : [])) ?? [];
  if (ids.length > 0) await services.sessions.assertNewMessageIds(threadId, ids);
  const answer = await approvalAnswer(services, target, plan.command);
  if (answer) {
    // The answer's run takes the body's run options too (its multitask strategy is always "reject": an answer
    // waits for nothing and supersedes nothing).
    const run = { metadata: plan.metadata, webhook: plan.webhook, config: plan.config, client_message_id: plan.clientMessageId };
    const [first, ...others] = answer;
    if (!first) throw new AppError("invalid_request", "command.resume answers no interrupt");
    return (await services.runs.respond(userId, { thread_id: threadId, interrupt_id: first.id, value: first.value, others: others.map(({ id, value }) => ({ interrupt_id: id, value })), run })).run;
  }
  const { run } = await services.runs.submit(userId, {
    thread_id: threadId,
    assistant_id: plan.assistantId,
    input: plan.input,
    command: plan.command,
    multitask_strategy: plan.multitaskStrategy,
    metadata: plan.metadata,
    webhook: plan.webhook,
    after_seconds: plan.afterSeconds,
    checkpoint_id: plan.checkpointId,
    interrupt_before: plan.interruptBefore,
    interrupt_after: plan.interruptAfter,
    config: plan.config,
    client_message_id: plan.clientMessageId,
  });
  return run;
}

/** A stateless run (`POST /runs…`): a new thread of the user for this one call, removed if submission fails. */
export async function submitStatelessRun(services: Services, userId: string, plan: RunPlan): Promise<Run> {
  const { session } = await services.sessions.open(userId, { assistant_id: plan.assistantId, metadata: { stateless: true } });
  try {
    return await submitThreadRun(services, { userId, threadId: session.thread_id }, { ...plan, ifNotExists: "reject" });
  } catch (error) {
    await services.sessions.delete(userId, session.thread_id).catch(() => undefined);
    throw error;
  }
}

async function ensureThread(services: Services, { userId, threadId }: ThreadTarget, plan: RunPlan): Promise<void> {
  if (plan.ifNotExists === "create" && isUuid(threadId)) {
    const created = await services.sessions.createWithId(userId, { thread_id: threadId, assistant_id: plan.assistantId });
    if (created) return;
    await services.lifecycle.assertIdReusable(threadId);
  }
  await services.sessions.get(userId, threadId);
}

/**
 * Which pending interrupts a `command.resume` answers: `{<interrupt_id>: value, …}` (several asked at once can be
 * answered together, as LangGraph's), or a bare value when one is pending.
 */
async function approvalAnswer(services: Services, { userId, threadId }: ThreadTarget, command: RunPlan["command"]): Promise<{ id: string; value: unknown }[] | undefined> {
  if (!command) return undefined;
  const { interrupts, next } = await services.threadState.get(userId, threadId);
  const [only] = interrupts;
  // Nothing waits for an answer: a resume run would "succeed" doing nothing (the WebSocket's input.respond refuses too).
  if (!only && next.length === 0) throw new AppError("not_found", `Nothing to resume: no approval or interrupt is pending on thread ${threadId}`);
  if (!only) return undefined;
  const resume = command.resume;
  if (typeof resume === "object" && resume !== null && !Array.isArray(resume)) {
    const keys = Object.keys(resume);
    const pendingIds = new Set(interrupts.map((pending) => pending.id));
    const answered = keys.filter((candidate) => pendingIds.has(candidate));
    if (answered.length > 0 && answered.length === keys.length) {
      return Object.entries(resume as Record<string, unknown>).map(([id, value]) => ({ id, value }));
    }
    // Some keys name pending interrupts, others do not (answered already, or a typo): not a bare value either.
    const stray = keys.find((candidate) => !pendingIds.has(candidate));
    if (answered.length > 0 && stray !== undefined) throw new AppError("not_found", `No pending interrupt ${stray} on this thread`);
  }
  const keyedTo = keyedAnswerId(resume);
  if (keyedTo !== undefined) throw new AppError("not_found", `No pending interrupt ${keyedTo} on this thread`);
  if (interrupts.length > 1) throw new AppError("invalid_request", "Several interrupts are pending: resume with {<interrupt_id>: answer}");
  return [{ id: only.id, value: resume }];
}

/** LangGraph's interrupt ids: an XXH3 digest in hex (its own `isXXH3`). */
const INTERRUPT_ID = /^[0-9a-f]{32}$/;

/**
 * The interrupt id a `{<id>: answer}` names that is not pending: a `{<id>: {decision…}}`, or any single key shaped
 * like an interrupt id — a retried answer to a question already answered would otherwise be taken, whole, as the
 * answer to the next question (not a bare decision, whose keys are its own fields).
 */
function keyedAnswerId(resume: unknown): string | undefined {
  if (typeof resume !== "object" || resume === null || Array.isArray(resume)) return undefined;
  const entries = Object.entries(resume as Record<string, unknown>);
  const [entry] = entries;
  if (entries.length !== 1 || !entry || ["decision", "args", "reason"].includes(entry[0])) return undefined;
  const value = entry[1];
  return INTERRUPT_ID.test(entry[0]) || (typeof value === "object" && value !== null && "decision" in value) ? entry[0] : undefined;
}
