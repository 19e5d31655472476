import { pathToFileURL } from "node:url";
import type { BaseCheckpointSaver } from "@langchain/langgraph";
import type { AssistantSettings } from "../assistants/assistant-settings.js";
import { AppError } from "../errors/app-error.js";
import { type GraphDeclaration, readLanggraphConfig } from "./langgraph-config.js";

/** The slice of a compiled LangGraph graph the runtime uses. */
export interface RunnableGraph {
  checkpointer?: unknown;
  /** The graph's nodes by name (breakpoints are checked against them). */
  nodes: Record<string, unknown>;
  /** The graph's channels by name: its state keys, and LangGraph's own (`__start__`, `branch:to:…`). */
  channels: Record<string, unknown>;
  stream(input: unknown, options?: Record<string, unknown>): Promise<AsyncIterable<unknown>>;
  getState(config: Record<string, unknown>, options?: Record<string, unknown>): Promise<GraphStateSnapshot>;
  getStateHistory(config: Record<string, unknown>, options?: Record<string, unknown>): AsyncIterableIterator<GraphStateSnapshot>;
  updateState(config: Record<string, unknown>, values: unknown, asNode?: string): Promise<{ configurable?: Record<string, unknown> }>;
  withConfig?(config: Record<string, unknown>): RunnableGraph;
}

/** A state snapshot as LangGraph returns it. */
export interface GraphStateSnapshot {
  values: unknown;
  next: string[];
  config: { configurable?: Record<string, unknown> };
  metadata?: Record<string, unknown>;
  createdAt?: string;
  parentConfig?: { configurable?: Record<string, unknown> };
  tasks: { id: string; name: string; interrupts?: { id?: string; value?: unknown }[]; result?: unknown }[];
}

/** Who a graph is resolved for: the run's thread, assistant and user (a factory reads them, as on LangGraph Platform). */
export interface GraphScope {
  thread_id: string;
  assistant_id: string;
  run_id: string;
  user_id: string;
}

/**
 * A factory's config: the assistant's settings in `configurable` and `context` (LangGraph 1.x reads context), with
 * the run's thread, assistant, graph, run and user ids in `configurable` when it is resolved for a run.
 */
type GraphFactory = (config: { configurable: Record<string, unknown>; context: AssistantSettings }) => unknown;

type LoadedGraph = { kind: "graph"; graph: RunnableGraph } | { kind: "factory"; factory: GraphFactory };

/**
 * Graphs declared in langgraph.json: a compiled graph, an uncompiled StateGraph (compiled here) or a factory
 * `(config) => graph`. The registry attaches the one checkpointer; graph files never carry persistence.
 */
export class GraphRegistry {
  private constructor(
    private readonly graphs: Map<string, LoadedGraph>,
    private readonly checkpointer: BaseCheckpointSaver,
  ) {}

  /** Import every declared graph; one that fails to load stops start-up with an error naming it and its file. */
  static async load(options: { configPath: string; checkpointer: BaseCheckpointSaver }): Promise<GraphRegistry> {
    const declarations = await readLanggraphConfig(options.configPath);
    const graphs = new Map<string, LoadedGraph>();
    for (const declaration of declarations) {
      const loaded = await importGraph(declaration, options.checkpointer).catch((error: unknown) => {
        const { graphId, file, exportName } = declaration;
        throw new Error(`Graph ${graphId} (${file}:${exportName}) failed to load: ${errorText(error)}`, { cause: error });
      });
      graphs.set(declaration.graphId, loaded);
    }
    return new GraphRegistry(graphs, options.checkpointer);
  }

  /** Declared graph ids, in declaration order. */
  graphIds(): string[] {
    return [...this.graphs.keys()];
  }

  /** Whether a graph id is declared. */
  has(graphId: string): boolean {
    return this.graphs.has(graphId);
  }

  /**
   * The runnable graph for an assistant (`scope`: the run it is for), with the checkpointer attached. A factory is
   * awaited, as LangGraph Platform's loader does (`async (config) => graph` is common); its failure is `internal`
   * naming the graph, not a bare "Internal error".
   */
  async resolve(graphId: string, settings: AssistantSettings, scope?: GraphScope): Promise<RunnableGraph> {
    const loaded = this.graphs.get(graphId);
    if (!loaded) throw new AppError("not_found", `Graph ${graphId} not found`);
    if (loaded.kind === "graph") return loaded.graph;
    const configurable = { ...settings, ...(scope ? { ...scope, graph_id: graphId } : {}) };
    let built: RunnableGraph;
    try {
      built = toRunnableGraph(await loaded.factory({ configurable, context: settings }), "it returned neither a compiled graph nor a StateGraph");
    } catch (error) {
      throw new AppError("internal", `Graph ${graphId}: its factory failed: ${errorText(error)}`, { cause: error });
    }
    return attachCheckpointer(built, this.checkpointer);
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

async function importGraph(declaration: GraphDeclaration, checkpointer: BaseCheckpointSaver): Promise<LoadedGraph> {
  const module = (await import(pathToFileURL(declaration.file).href)) as Record<string, unknown>;
  // An exported promise (a graph built asynchronously at import) is awaited, as LangGraph Platform's loader does.
  const exported: unknown = await module[declaration.exportName];
  if (exported === undefined) throw new Error(`the file has no export "${declaration.exportName}" (its exports: ${Object.keys(module).join(", ") || "none"})`);
  if (typeof exported === "function" && !isCompilable(exported)) return { kind: "factory", factory: exported as GraphFactory };
  return { kind: "graph", graph: attachCheckpointer(toRunnableGraph(exported, "the export is neither a compiled graph, a StateGraph nor a factory"), checkpointer) };
}

function isCompilable(value: unknown): value is { compile(): unknown } {
  return typeof (value as { compile?: unknown } | null)?.compile === "function";
}

/** A compiled graph from an export or a factory's result (compiled here when a StateGraph); else `refusal`. */
function toRunnableGraph(value: unknown, refusal: string): RunnableGraph {
  const compiled = isCompilable(value) && typeof (value as { stream?: unknown }).stream !== "function" ? value.compile() : value;
  if (typeof (compiled as { stream?: unknown } | null)?.stream !== "function") {
    throw new Error(refusal);
  }
  return compiled as RunnableGraph;
}

/**
 * A copy of the graph with our checkpointer: the exported graph object is shared by every importer (two servers
 * in one process, tests), so it is never mutated. `withConfig` builds a new instance from all of its fields.
 */
function attachCheckpointer(graph: RunnableGraph, checkpointer: BaseCheckpointSaver): RunnableGraph {
  const copy = typeof graph.withConfig === "function" ? graph.withConfig({}) : graph;
  copy.checkpointer = checkpointer;
  return copy;
}
