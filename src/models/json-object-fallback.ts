import type { BaseLanguageModelInput } from "@langchain/core/language_models/base";
import { HumanMessage, isBaseMessage } from "@langchain/core/messages";
import { type Runnable, type RunnableConfig, RunnableLambda } from "@langchain/core/runnables";
import { SHAPED_ANSWER_REQUEST } from "./provider-messages.js";
import { statusOf } from "./retry-policy.js";

/** A structured-output runnable as LangChain's chat models return it. */
type StructuredRunnable<T> = Runnable<BaseLanguageModelInput, T>;

/** What an endpoint was found to refuse, remembered by the model that calls it. */
export interface FormatRefusals {
  jsonSchema: boolean;
}

/**
 * A structured answer that asks for `json_schema` first, and where the endpoint refuses that format with a 400
 * naming `response_format` (DeepSeek: "This response_format type is unavailable now"; it takes only `json_object`),
 * asks once more with `json_object` and the schema written into the prompt — and from then on (`refusals`, kept by
 * the model) asks that way at once. Other servers (vLLM, Ollama, llama.cpp, DashScope) keep `json_schema`, which
 * constrains the answer to the schema.
 */
export function withJsonObjectFallback<T>(options: { jsonSchema: StructuredRunnable<T>; jsonObject: StructuredRunnable<T>; schema: unknown; refusals: FormatRefusals }): StructuredRunnable<T> {
  const { jsonSchema, jsonObject, schema, refusals } = options;
  return RunnableLambda.from(async (input: BaseLanguageModelInput, config?: RunnableConfig): Promise<T> => {
    if (!refusals.jsonSchema) {
      try {
        return await jsonSchema.invoke(input, config);
      } catch (error) {
        if (!refusesResponseFormat(error) || config?.signal?.aborted) throw error;
        refusals.jsonSchema = true;
      }
    }
    return jsonObject.invoke(withSchemaRequest(input, schema), config);
  });
}

/** Whether a failure is the endpoint refusing the response format asked for (a 400 that names `response_format`). */
function refusesResponseFormat(error: unknown): boolean {
  return error instanceof Error && statusOf(error) === 400 && /response_format/i.test(error.message);
}

/**
 * The prompt ending with a request for the answer as JSON in the schema: `json_object` constrains the answer to JSON
 * only, and DeepSeek refuses it unless the prompt says "json".
 */
function withSchemaRequest(input: BaseLanguageModelInput, schema: unknown): BaseLanguageModelInput {
  if (!Array.isArray(input) || !input.every(isBaseMessage)) return input;
  return [...input, new HumanMessage(`${SHAPED_ANSWER_REQUEST} Answer with one JSON object, and nothing else, that matches this JSON schema: ${JSON.stringify(schema)}`)];
}
