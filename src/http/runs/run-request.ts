import { z } from "zod";
import { AppError } from "../../errors/app-error.js";
import { webhookUrlSchema } from "../../jobs/webhooks/webhook-url.js";
import type { MultitaskStrategy, RunConfig } from "../../runs/run.js";
import { breakpointListSchema, durabilitySchema, runConfigFrom } from "../../runs/run-config.js";
import type { SubmitRunRequest } from "../../runs/run-requests.js";
import { normaliseRunInput } from "./run-input.js";
import { type StreamMode, streamModeListSchema, toStreamModes } from "./stream-modes.js";

const record = z.record(z.string(), z.unknown());

/**
 * The body of every run-creating route, in LangGraph Platform's shape (`RunCreateStateful` /
 * `RunCreateStateless`). Unknown keys are ignored, as LangGraph's server does, so newer SDKs keep working;
 * known keys with unknown values are refused.
 */
export const runBodySchema = z.object({
  assistant_id: z.string().min(1).max(200).optional(),
  input: z.unknown().optional(),
  command: z.object({ resume: z.unknown().optional(), update: z.unknown().optional(), goto: z.unknown().optional() }).nullable().optional(),
  config: z.looseObject({ configurable: record.optional(), tags: z.array(z.string()).optional(), recursion_limit: z.number().int().positive().optional() }).nullable().optional(),
  context: record.nullable().optional(),
  metadata: record.nullable().optional(),
  stream_mode: streamModeListSchema.optional(),
  stream_subgraphs: z.boolean().optional(),
  stream_resumable: z.boolean().optional(),
  feedback_keys: z.union([z.string(), z.array(z.string())]).optional(),
  multitask_strategy: z.enum(["reject", "enqueue", "interrupt", "rollback"]).optional(),
  checkpoint_id: z.string().min(1).max(200).optional(),
  checkpoint: z.looseObject({ checkpoint_id: z.string().min(1).max(200).nullable().optional(), checkpoint_ns: z.string().optional() }).nullable().optional(),
  interrupt_before: breakpointListSchema.optional(),
  interrupt_after: breakpointListSchema.optional(),
  on_disconnect: z.enum(["cancel", "continue"]).optional(),
  on_completion: z.enum(["delete", "keep"]).optional(),
  after_seconds: z.number().min(0).max(31_536_000).optional(),
  webhook: webhookUrlSchema.optional(),
  if_not_exists: z.enum(["create", "reject"]).optional(),
  checkpoint_during: z.boolean().optional(),
  durability: durabilitySchema.optional(),
  strict_resume: z.boolean().optional(),
  langsmith_tracer: z.unknown().optional(),
  /** Threadline extension: repeat it to retry safely (the original run is returned). */
  client_message_id: z.string().min(1).max(200).optional(),
});

/** A validated run request, with LangGraph's aliases resolved and Threadline's defaults applied. */
export interface RunPlan {
  assistantId?: string;
  input: SubmitRunRequest["input"];
  command?: { resume: unknown };
  checkpointId?: string;
  interruptBefore?: "*" | string[];
  interruptAfter?: "*" | string[];
  config?: RunConfig;
  metadata?: Record<string, unknown>;
  webhook?: string;
  afterSeconds?: number;
  multitaskStrategy: MultitaskStrategy;
  clientMessageId?: string;
  streamModes: StreamMode[];
  onDisconnect: "cancel" | "continue";
  onCompletion: "delete" | "keep";
  ifNotExists: "create" | "reject";
}

/** Parse and normalise a run body; `defaultModes` is what `stream_mode` means when absent. */
export function parseRunBody(raw: unknown, defaultModes: readonly StreamMode[]): RunPlan {
  const body = runBodySchema.parse(raw ?? {});
  if (body.command && (body.command.update != null || body.command.goto != null)) {
    throw new AppError("invalid_request", "command supports only resume (update and goto are not available)");
  }
  // A command that carries nothing (`{}`) is no command: refused, or it would start a run with nothing to do.
  if (body.command && body.command.resume === undefined) throw new AppError("invalid_request", "command must carry resume (the answer to the interrupt it resumes)");
  const command = body.command?.resume === undefined ? undefined : { resume: body.command.resume };
  const input = normaliseRunInput(body.input);
  if (command && input) throw new AppError("invalid_request", "Send either input or command.resume, not both");
  return {
    assistantId: body.assistant_id,
    input,
    command,
    checkpointId: checkpointIdOf(body),
    interruptBefore: body.interrupt_before,
    interruptAfter: body.interrupt_after,
    config: runConfigFrom(body),
    metadata: body.metadata ?? undefined,
    webhook: body.webhook,
    afterSeconds: body.after_seconds,
    multitaskStrategy: body.multitask_strategy ?? "enqueue",
    clientMessageId: body.client_message_id,
    streamModes: toStreamModes(body.stream_mode, defaultModes),
    onDisconnect: body.on_disconnect ?? "continue",
    onCompletion: body.on_completion ?? "delete",
    ifNotExists: body.if_not_exists ?? "reject",
  };
}

/** `checkpoint_id`, `checkpoint.checkpoint_id` or `config.configurable.checkpoint_id`, which must agree. */
function checkpointIdOf(body: z.infer<typeof runBodySchema>): string | undefined {
  const configured = body.config?.configurable?.checkpoint_id;
  if (configured !== undefined && configured !== null && typeof configured !== "string") {
    throw new AppError("invalid_request", "config.configurable.checkpoint_id must be a string");
  }
  const candidates = [body.checkpoint_id, body.checkpoint?.checkpoint_id ?? undefined, configured ?? undefined].filter((id): id is string => typeof id === "string");
  const [first] = candidates;
  if (candidates.some((id) => id !== first)) throw new AppError("invalid_request", "checkpoint_id, checkpoint and config.configurable.checkpoint_id disagree");
  return first;
}
