import { randomUUID } from "node:crypto";
import { type ApprovalDecision, approvalDecisionSchema } from "../agent/approval.js";
import type { Queryable } from "../db/database.js";
import { AppError, describeIssues } from "../errors/app-error.js";
import { isPendingApproval, type PendingApproval, type PendingInterrupt } from "../events/thread-event.js";
import type { ToolDefinition } from "../tools/tool-definition.js";
import type { RespondRequest } from "./run-requests.js";
import { checkEditedArgs } from "./run-request-checks.js";

/** The largest answer to a graph's own question, as JSON: the run's command carries it into the checkpoint. */
const QUESTION_ANSWER_MAX_BYTES = 64 * 1024;

/**
 * The value a run resumes an interrupt with, checked: a tool approval takes `{decision, args?, reason?}` (edited
 * arguments checked against the tool's schema; `decision`, to be recorded); a graph's own question takes any JSON
 * value, as its `interrupt()` returns it.
 */
export function resumeValueFor(pending: PendingInterrupt, value: unknown, tools: readonly ToolDefinition[]): { value: unknown; decision?: ApprovalDecision } {
  if (isPendingApproval(pending)) {
    const decision = approvalDecisionFor(pending, value, tools);
    return { value: decision, decision };
  }
  if (value === undefined) throw new AppError("invalid_request", "value is required: the answer the graph's question gets (any JSON value)");
  if (Buffer.byteLength(JSON.stringify(value)) > QUESTION_ANSWER_MAX_BYTES) throw new AppError("invalid_request", `value is too large: an answer holds at most ${QUESTION_ANSWER_MAX_BYTES} bytes of JSON`);
  return { value };
}

function approvalDecisionFor(pending: PendingApproval, value: unknown, tools: readonly ToolDefinition[]): ApprovalDecision {
  const decision = approvalDecisionSchema.safeParse(value);
  if (!decision.success) {
    throw new AppError("invalid_request", `value must be {decision: approve|reject|edit, args?, reason?}: ${describeIssues(decision.error.issues)}`, { details: decision.error.issues });
  }
  if (decision.data.decision === "edit") checkEditedArgs(tools, pending.name, decision.data.args);
  return decision.data;
}

/**
 * Record a tool approval's answer with the run that carries it out. An earlier answer whose run ended without
 * success never took effect (cancelled or stopped mid-tool): it stays on record, superseded. Two answers racing
 * for one question: the second is `conflict`.
 */
export async function recordApproval(
  client: Queryable,
  answer: { threadId: string; interruptedRunId: string | null; resumeRunId: string; pending: PendingApproval; decision: ApprovalDecision; userId: string },
): Promise<void> {
  const { threadId, pending, decision } = answer;
  await client.query(
    `UPDATE approvals SET superseded_at = now()
      WHERE thread_id = $1 AND interrupt_id = $2 AND superseded_at IS NULL
        AND NOT EXISTS (SELECT 1 FROM runs WHERE runs.run_id = approvals.resume_run_id AND runs.status IN ('pending', 'running', 'success'))`,
    [threadId, pending.id],
  );
  await client
    .query(
      `INSERT INTO approvals (approval_id, thread_id, interrupted_run_id, resume_run_id, interrupt_id, tool_call_id, tool_name, args, decision, edited_args, reason, user_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
      [randomUUID(), threadId, answer.interruptedRunId, answer.resumeRunId, pending.id, pending.tool_call_id, pending.name, JSON.stringify(pending.args),
        decision.decision, decision.args ? JSON.stringify(decision.args) : null, decision.reason ?? null, answer.userId],
    )
    .catch((error: unknown) => {
      throw (error as { code?: string }).code === "23505" ? new AppError("conflict", "This interrupt was already answered") : error;
    });
}

/** Every answer a respond request carries, the first one first; one interrupt answered twice is refused. */
export function answersOf(request: RespondRequest): { interrupt_id: string; value: unknown }[] {
  const answers = [{ interrupt_id: request.interrupt_id, value: request.value }, ...(request.others ?? [])];
  const ids = new Set(answers.map((answer) => answer.interrupt_id));
  if (ids.size < answers.length) throw new AppError("invalid_request", "An interrupt is answered twice in one request");
  return answers;
}
