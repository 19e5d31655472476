import { ToolNode } from "@langchain/langgraph/prebuilt";

/** A LangGraph stream mode the runtime asks for (what `StreamTranslator.handle` understands). */
export type RunStreamMode = "messages" | "updates" | "custom" | "tools" | "values";

/**
 * The stream modes a run of `graph` asks for: token deltas (`messages`), completed steps (`updates`), and what
 * nodes write with `config.writer` (`custom`: the graph's own chunks, and tool starts as a tools node announces
 * them, `announceToolStart`). `tools` (LangChain's tool-start callbacks)
 * only when one of the graph's nodes is LangGraph's prebuilt `ToolNode` (as `createReactAgent` builds): it adds a
 * callback handler that LangChain calls for every event of the run, each model token included (~3 µs each here),
 * which graphs whose tools node announces its own starts, like `graphs/chat.ts`, need not pay. `values` only for a
 * run that asked for `stream_subgraphs` (`subgraphs`): its subgraphs' states (the root's own are not needed: stored
 * events rebuild them).
 */
export function runStreamModes(graph: { nodes: Record<string, unknown> }, options: { subgraphs?: boolean } = {}): RunStreamMode[] {
  const usesToolNode = Object.values(graph.nodes).some((node) => (node as { bound?: unknown } | null)?.bound instanceof ToolNode);
  const modes: RunStreamMode[] = usesToolNode ? ["messages", "updates", "custom", "tools"] : ["messages", "updates", "custom"];
  return options.subgraphs ? [...modes, "values"] : modes;
}
