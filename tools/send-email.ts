import { randomUUID } from "node:crypto";
import { z } from "zod";
import { defineTool } from "../src/tools/tool-definition.js";

/**
 * Send an email on the user's behalf. It acts on the world, so it waits for a human's approval; "sending"
 * writes to the `outbox` table (delivery is outside Threadline). A retried step cannot send twice:
 * the outbox is unique per (run, tool call).
 */
export const sendEmail = defineTool({
  name: "send_email",
  description:
    "Send an email for the user. Requires the user's approval before it is sent. Give the recipient address, " +
    "a subject and the full body text.",
  requiresApproval: true,
  schema: z.object({
    to: z.email().describe("Recipient email address"),
    subject: z.string().min(1).max(300),
    body: z.string().min(1).max(50_000),
  }),
  async execute({ to, subject, body }, context) {
    const { rows } = await context.db.query<{ email_id: string }>(
      `INSERT INTO outbox (email_id, user_id, thread_id, run_id, tool_call_id, to_address, subject, body)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (run_id, tool_call_id) DO UPDATE SET to_address = outbox.to_address RETURNING email_id`,
      [randomUUID(), context.userId, context.threadId, context.runId, context.toolCallId ?? randomUUID(), to, subject, body],
    );
    return JSON.stringify({ sent: true, email_id: rows[0]?.email_id, to, subject });
  },
});
