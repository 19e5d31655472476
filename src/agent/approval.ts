import { z } from "zod";

/** What the graph asks a human before a tool that acts on the world runs (the interrupt's value). */
export interface ApprovalRequest {
  kind: "tool_approval";
  tool_call_id: string;
  name: string;
  args: Record<string, unknown>;
}

/** A human's answer as the tools node reads it from `Command({ resume })` (answers recorded before are read as given). */
export const approvalAnswerSchema = z.strictObject({
  decision: z.enum(["approve", "reject", "edit"]),
  args: z.record(z.string(), z.unknown()).optional(),
  reason: z.string().max(2000).optional(),
});

/**
 * A human's answer as `input.respond` and `command.resume` accept it: `args` belong to an edit, and only to one (an
 * approval sent with arguments would otherwise run the call with the original ones, silently).
 */
export const approvalDecisionSchema = approvalAnswerSchema
  .refine((answer) => (answer.decision === "edit") === (answer.args !== undefined), {
    message: 'args are given with decision "edit", and only with it',
    path: ["args"],
  });

/** A validated decision. */
export type ApprovalDecision = z.infer<typeof approvalAnswerSchema>;

/** Whether an interrupt value is one of ours. */
export function isApprovalRequest(value: unknown): value is ApprovalRequest {
  return typeof value === "object" && value !== null && (value as { kind?: unknown }).kind === "tool_approval";
}
