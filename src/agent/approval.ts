import { z } from "zod";

/** What the graph asks a human before a tool that acts on the world runs (the interrupt's value). */
export interface ApprovalRequest {
  kind: "tool_approval";
  tool_call_id: string;
  name: string;
  args: Record<string, unknown>;
}

/** A human's answer, passed back through `Command({ resume })`. */
export const approvalDecisionSchema = z.strictObject({
  decision: z.enum(["approve", "reject", "edit"]),
  args: z.record(z.string(), z.unknown()).optional(),
  reason: z.string().max(2000).optional(),
});

/** A validated decision. */
export type ApprovalDecision = z.infer<typeof approvalDecisionSchema>;

/** Whether an interrupt value is one of ours. */
export function isApprovalRequest(value: unknown): value is ApprovalRequest {
  return typeof value === "object" && value !== null && (value as { kind?: unknown }).kind === "tool_approval";
}
