import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { BaseCallbackHandler } from "@langchain/core/callbacks/base";
import { AIMessage, type BaseMessage, mergeUsageMetadata, type RemoveMessage, type UsageMetadata } from "@langchain/core/messages";
import type { ChatGeneration, LLMResult } from "@langchain/core/outputs";
import type { RunnableConfig } from "@langchain/core/runnables";
import { z } from "zod";
import { fitPromptToBudget } from "../memory/fit-prompt.js";
import type { RunningSummary } from "../memory/running-summary.js";
import { boundToolTokens, type ToolSchema } from "../memory/tool-schema-tokens.js";
import { prepareModelCall, type WorkingState } from "../memory/working-context.js";
import type { AgentContext } from "./agent-context.js";
import { isModelCallError, ModelCallError, redactSecrets } from "./model-call-error.js";
import { normalizeToolCalls } from "./normalize-tool-calls.js";

/** What the model node writes: the reply (after the removals of folded messages), and the summary when it changed. */
export interface ModelNodeUpdate {
  messages: (BaseMessage | RemoveMessage)[];
  structured_response?: unknown;
  summary?: RunningSummary;
}

/**
 * Call the assistant's model on its working context: the system prompt (with the running summary), then the
 * conversation, within the assistant's context budget (older turns are folded first when needed), tools bound.
 */
export async function callModel(state: WorkingState, context: AgentContext, config: RunnableConfig): Promise<ModelNodeUpdate> {
  const tools = boundToolSchemas(context.tools);
  const call = await invokeOrThrowModelError(() => prepareModelCall(state, {
    model: context.model,
    summaryModel: context.summaryModel,
    modelSpec: context.modelSpec,
    contextBudget: context.contextBudget,
    systemPrompt: context.systemPrompt,
    toolTokens: (policy) => boundToolTokens(context.model, tools, policy.tokens),
    signal: config.signal,
  }), config.signal, "the running summary could not be written: ");
  const folding = { removals: call.removals, ...(call.summary ? { summary: call.summary } : {}) };
  const model = bindTools(context.model, tools);
  const reply = normalizeToolCalls(await invokeOrThrowModelError(() => model.invoke(call.prompt, config), config.signal));
  const hasToolCalls = AIMessage.isInstance(reply) && (reply.tool_calls?.length ?? 0) > 0;
  if (!context.responseShape || hasToolCalls) return update(folding, { messages: [reply] });
  // The final answer: ask the model for the assistant's response shape and return it as the reply.
  const structuredModel = context.model.withStructuredOutput(context.responseShape, { name: "response" });
  const shapeTokens = call.policy.tokens.text(JSON.stringify(context.responseShape));
  const structuredPrompt = fitPromptToBudget([...call.prompt, reply], { toolTokens: shapeTokens, policy: call.policy });
  // A config of its own, not the graph's: LangChain's provider models hash their call config (the graph's holds
  // the pool, whose timers are circular), and the graph's streaming callbacks would stream the JSON as a second
  // message (and make @langchain/anthropic parse a streamed tool call it cannot). Its tokens are counted here.
  const usage = new UsageCollector();
  const replyUsage = AIMessage.isInstance(reply) ? reply.usage_metadata : undefined;
  const structured: unknown = await invokeOrThrowModelError(() => structuredModel.invoke(structuredPrompt, { signal: config.signal, callbacks: [usage] }), config.signal).catch((error: unknown) => {
    // The reply was written (and paid for) even though its structured form failed.
    if (isModelCallError(error) && replyUsage) error.spent.push({ model: modelNameOf(reply), input_tokens: replyUsage.input_tokens, output_tokens: replyUsage.output_tokens });
    throw error;
  });
  const answer = new AIMessage({
    id: reply.id,
    content: JSON.stringify(structured),
    // The structured call may have been answered by a fallback model: each model's share, for the run's tally.
    response_metadata: { ...reply.response_metadata, [USAGE_BY_MODEL_KEY]: usage.byModelWith(modelNameOf(reply), replyUsage) },
    usage_metadata: addUsage(replyUsage, usage.total),
  });
  return update(folding, { messages: [answer], structured_response: structured });
}

/**
 * `response_metadata` key of an answer made of two model calls (the reply and its structured form): the tokens
 * each model spent, `{model name: {input_tokens, output_tokens}}`, which the run's usage tallies instead of the
 * message's single model name.
 */
export const USAGE_BY_MODEL_KEY = "threadline_usage_by_model";

/** Tokens one model spent. */
export type ModelTokens = { input_tokens: number; output_tokens: number };

/** Token usage of the model calls it watches (their ends), summed, and per model. */
class UsageCollector extends BaseCallbackHandler {
  readonly name = "threadline_usage_collector";
  total: UsageMetadata | undefined;
  private readonly byModel = new Map<string, ModelTokens>();

  override handleLLMEnd(output: LLMResult): void {
    for (const generation of output.generations.flat()) {
      const message = (generation as ChatGeneration).message as AIMessage | undefined;
      if (!message || !AIMessage.isInstance(message)) continue;
      this.total = addUsage(this.total, message.usage_metadata);
      if (message.usage_metadata) addTokens(this.byModel, modelNameOf(message), message.usage_metadata);
    }
  }

  /** Each model's tokens, with another call's (the reply's) added. */
  byModelWith(model: string, usage: UsageMetadata | undefined): Record<string, ModelTokens> {
    const all = new Map(this.byModel);
    if (usage) addTokens(all, model, usage);
    return Object.fromEntries(all);
  }
}

function addTokens(byModel: Map<string, ModelTokens>, model: string, usage: UsageMetadata): void {
  const entry = byModel.get(model) ?? { input_tokens: 0, output_tokens: 0 };
  byModel.set(model, { input_tokens: entry.input_tokens + usage.input_tokens, output_tokens: entry.output_tokens + usage.output_tokens });
}

/** The name a provider reported for the model that wrote a message ("" when none did). */
function modelNameOf(message: BaseMessage): string {
  const name = (message.response_metadata as Record<string, unknown> | undefined)?.model_name;
  return typeof name === "string" ? name : "";
}

/** LangChain's sum of two usages, keeping "no usage reported" when neither reported any. */
function addUsage(left: UsageMetadata | undefined, right: UsageMetadata | undefined): UsageMetadata | undefined {
  return left || right ? mergeUsageMetadata(left, right) : undefined;
}

function update(folding: { removals: RemoveMessage[]; summary?: RunningSummary }, result: { messages: BaseMessage[]; structured_response?: unknown }): ModelNodeUpdate {
  return { ...result, messages: [...folding.removals, ...result.messages], ...(folding.summary ? { summary: folding.summary } : {}) };
}

/**
 * A failure of `call` as the model's (`model_error`, the provider's words after `what`, keys scrubbed). Cancellation
 * is an outcome and a request's own refusal (an AppError, e.g. a budget too small) is not the model's: both pass
 * through untouched. Preparing a call may fold older turns into the summary with a model call, hence `what`.
 */
async function invokeOrThrowModelError<T>(call: () => Promise<T>, signal: AbortSignal | undefined, what = ""): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (signal?.aborted || (error instanceof Error && error.name === "AppError")) throw error;
    throw new ModelCallError(redactSecrets(`${what}${error instanceof Error ? error.message : String(error)}`), { cause: error });
  }
}

const schemas = new WeakMap<AgentContext["tools"][number], ToolSchema>();

/** The tools as bound to the model (OpenAI function format), converted once per tool. */
export function boundToolSchemas(tools: AgentContext["tools"]): ToolSchema[] {
  return tools.map((tool) => {
    let schema = schemas.get(tool);
    if (!schema) {
      schema = { type: "function", function: { name: tool.name, description: tool.description, parameters: z.toJSONSchema(tool.schema, { io: "input" }) } };
      schemas.set(tool, schema);
    }
    return schema;
  });
}

function bindTools(model: BaseChatModel, tools: ToolSchema[]) {
  if (tools.length === 0 || !model.bindTools) return model;
  return model.bindTools(tools);
}
