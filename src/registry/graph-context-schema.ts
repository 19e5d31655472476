import { getConfigTypeSchema } from "@langchain/langgraph/zod/schema";
import { assistantSettingsSchema } from "../assistants/assistant-settings.js";
import { AppError } from "../errors/app-error.js";

/** A zod object schema, version 3 or 4 (a developer's graph may use either): what `.partial()` and `.shape` need. */
interface ZodObjectLike {
  shape: Record<string, unknown>;
  partial(): { safeParse(value: unknown): { success: boolean; error?: { issues: unknown[] } } };
}

/**
 * The context schema a graph declares (`new StateGraph(State, ContextSchema)` or `{state, context}`): LangGraph
 * keeps it on the builder and checks every run's context against it. Undefined for a graph that declares none.
 */
export function declaredContextSchema(graph: unknown): ZodObjectLike | undefined {
  const schema = (graph as { builder?: { _configRuntimeSchema?: unknown } } | null)?.builder?._configRuntimeSchema;
  const candidate = schema as Partial<ZodObjectLike> | undefined;
  return candidate && typeof candidate.shape === "object" && typeof candidate.partial === "function" ? (candidate as ZodObjectLike) : undefined;
}

/** The declared context schema as JSON Schema (LangGraph's own conversion), or undefined. */
export function declaredContextJsonSchema(graph: unknown): Record<string, unknown> | undefined {
  try {
    return getConfigTypeSchema(graph);
  } catch {
    return undefined;
  }
}

/**
 * Check an assistant's (or a run's) own context keys — those that are not Threadline's settings — against the
 * context schema its graph declares: a key the graph does not take is refused (a typo would otherwise be stored
 * and handed to the graph, which ignores it) unless `unknownKeys` is "ignore" (a run's context: LangGraph drops
 * them), and so is a value its schema refuses (LangGraph would fail the run on it). Keys may be left out: a run can
 * give them. A graph without a declared schema takes any keys.
 */
export function checkGraphContext(graphId: string, graph: unknown, settings: Record<string, unknown>, options: { unknownKeys: "refuse" | "ignore" }): void {
  const schema = declaredContextSchema(graph);
  if (!schema) return;
  const own = Object.fromEntries(Object.entries(settings).filter(([key]) => !Object.hasOwn(assistantSettingsSchema.shape, key)));
  const unknown = Object.keys(own).filter((key) => !Object.hasOwn(schema.shape, key));
  if (unknown.length > 0 && options.unknownKeys === "refuse") {
    const takes = Object.keys(schema.shape).join(", ") || "none";
    throw new AppError("invalid_request", `Graph ${graphId} takes no context key ${unknown.join(", ")} (its own keys: ${takes}; Threadline's settings are listed in the assistant's schema)`, { details: { unknown_keys: unknown } });
  }
  const declared = Object.fromEntries(Object.entries(own).filter(([key]) => Object.hasOwn(schema.shape, key)));
  const parsed = schema.partial().safeParse(declared);
  if (!parsed.success) throw new AppError("invalid_request", `Context refused by graph ${graphId}'s context schema`, { details: parsed.error?.issues });
}
