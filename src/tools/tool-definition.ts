import type { z } from "zod";
import type { Queryable } from "../db/database.js";

/** What a tool may use while it runs; everything is already scoped to the run's user and thread. */
export interface ToolContext {
  userId: string;
  threadId: string;
  runId: string;
  db: Queryable;
  signal: AbortSignal;
  /** The model's id for this call: side-effect tools use it to stay idempotent if a step is retried. */
  toolCallId?: string;
}

/** One tool: a name and description the model reads, a zod input schema, and the work itself. */
export interface ToolDefinition<Schema extends z.ZodType = z.ZodType> {
  name: string;
  description: string;
  schema: Schema;
  /** Tools that act on the world wait for a human's approval before they run. @default false */
  requiresApproval: boolean;
  execute(args: z.infer<Schema>, context: ToolContext): Promise<string>;
}

/** Declare a tool with its argument types inferred from the schema. */
export function defineTool<Schema extends z.ZodType>(
  definition: Omit<ToolDefinition<Schema>, "requiresApproval"> & { requiresApproval?: boolean },
): ToolDefinition<Schema> {
  return { requiresApproval: false, ...definition };
}

/** A thrown ToolInputError reaches the model as an error message it can correct. */
export class ToolInputError extends Error {
  override name = "ToolInputError";
}
