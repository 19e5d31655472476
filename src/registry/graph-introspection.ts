import { getInputTypeSchema, getOutputTypeSchema, getStateTypeSchema } from "@langchain/langgraph/zod/schema";
import { z } from "zod";
import { assistantSettingsSchema } from "../assistants/assistant-settings.js";
import { AppError } from "../errors/app-error.js";
import { declaredContextJsonSchema } from "./graph-context-schema.js";

/** A JSON Schema document (draft 2020-12 from zod, as LangGraph produces it). */
export type JsonSchema = Record<string, unknown>;

/** LangGraph Platform's `GraphSchema`: what `GET /assistants/{id}/schemas` answers, and each entry of `/subgraphs`. */
export interface GraphSchemas {
  graph_id: string;
  input_schema: JsonSchema | null;
  output_schema: JsonSchema | null;
  state_schema: JsonSchema | null;
  config_schema: JsonSchema | null;
  context_schema: JsonSchema | null;
}

/** The drawable graph as LangChain serialises it (`Graph.toJSON()`): `{nodes, edges}`. */
export type DrawableGraphJson = Record<string, unknown>;

/** The methods of a compiled LangGraph graph that describe it (every Pregel graph has them). */
interface DescribableGraph {
  getGraphAsync(config: { xray?: boolean | number }): Promise<{ toJSON(): DrawableGraphJson }>;
  getSubgraphsAsync(namespace?: string, recurse?: boolean): AsyncGenerator<[string, unknown]>;
}

/**
 * The settings an assistant's `context` (and a run's `context` or `config.configurable`) holds on this server, for
 * every graph; a graph that declares a context schema of its own takes its keys too (`contextSchemaOf`).
 */
const SETTINGS_JSON_SCHEMA = z.toJSONSchema(assistantSettingsSchema, { io: "input" }) as JsonSchema;

/** The graph's drawing (`xray`: include subgraphs, to that depth when a number), as LangGraph Platform answers it. */
export async function drawGraph(graph: unknown, xray: boolean | number | undefined): Promise<DrawableGraphJson> {
  const drawable = await describable(graph).getGraphAsync(xray === undefined ? {} : { xray });
  return drawable.toJSON();
}

/**
 * The graph's JSON Schemas. Input, output and state come from LangGraph's own derivation, which reads zod and
 * `StateSchema` state definitions only: a graph whose state is an `Annotation.Root` (the bundled `chat` graph) has no
 * runtime schema, and those three are `null` (LangGraph Platform derives them from the TypeScript source with a
 * compiler pass Threadline does not run). Config and context are the assistant settings this server accepts, and the
 * graph's own context keys when it declares a context schema (LangGraph Studio draws its assistant form from them).
 */
export function graphSchemas(graphId: string, graph: unknown): GraphSchemas {
  return {
    graph_id: graphId,
    input_schema: schemaOrNull(() => getInputTypeSchema(graph)),
    output_schema: schemaOrNull(() => getOutputTypeSchema(graph)),
    state_schema: schemaOrNull(() => getStateTypeSchema(graph)),
    config_schema: SETTINGS_JSON_SCHEMA,
    context_schema: contextSchemaOf(graph),
  };
}

/** Threadline's settings, with the properties of the context schema the graph declares (its own win a shared name). */
function contextSchemaOf(graph: unknown): JsonSchema {
  const declared = declaredContextJsonSchema(graph);
  const properties = declared?.properties;
  if (!properties || typeof properties !== "object") return SETTINGS_JSON_SCHEMA;
  const settingsProperties = SETTINGS_JSON_SCHEMA.properties as Record<string, unknown>;
  return { ...SETTINGS_JSON_SCHEMA, properties: { ...settingsProperties, ...(properties as Record<string, unknown>) } };
}

/**
 * The graph's subgraphs (nodes that are compiled graphs) by namespace, each with its schemas: under `namespace`
 * only, and with `recurse` their own subgraphs too (namespaces joined with `|`, as LangGraph names them).
 */
export async function subgraphSchemas(graphId: string, graph: unknown, options: { namespace?: string; recurse: boolean }): Promise<Record<string, GraphSchemas>> {
  const found: Record<string, GraphSchemas> = {};
  for await (const [namespace, subgraph] of describable(graph).getSubgraphsAsync(options.namespace, options.recurse)) {
    found[namespace] = graphSchemas(graphId, subgraph);
  }
  return found;
}

function describable(graph: unknown): DescribableGraph {
  const candidate = graph as Partial<DescribableGraph> | null;
  if (typeof candidate?.getGraphAsync !== "function" || typeof candidate.getSubgraphsAsync !== "function") {
    throw new AppError("invalid_request", "This graph cannot describe itself (it is not a compiled LangGraph graph)");
  }
  return candidate as DescribableGraph;
}

/** A schema LangGraph cannot derive (undefined, or its conversion throwing on an exotic zod type) is `null`. */
function schemaOrNull(derive: () => unknown): JsonSchema | null {
  try {
    const schema = derive();
    return schema !== null && typeof schema === "object" ? (schema as JsonSchema) : null;
  } catch {
    return null;
  }
}
