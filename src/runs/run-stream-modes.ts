import { BinaryOperatorAggregate, DeltaChannel, Topic } from "@langchain/langgraph/channels";
import { ToolNode } from "@langchain/langgraph/prebuilt";

/** A LangGraph stream mode the runtime asks for (what `StreamTranslator.handle` understands). */
export type RunStreamMode = "messages" | "updates" | "custom" | "tools" | "values";

/**
 * The stream modes a run of `graph` asks for: token deltas (`messages`), completed steps (`updates`), and what
 * nodes write with `config.writer` (`custom`: the graph's own chunks, and tool starts as a tools node announces
 * them, `announceToolStart`). `tools` (LangChain's tool-start callbacks)
 * only when one of the graph's nodes is LangGraph's prebuilt `ToolNode` (as `createReactAgent` builds): it adds a
 * callback handler that LangChain calls for every event of the run, each model token included (~3 µs each here),
 * which graphs whose tools node announces its own starts, like `graphs/chat.ts`, need not pay. `values` for a run
 * that asked for `stream_subgraphs` (`subgraphs`: its subgraphs' states) and for a graph with reducer keys
 * (`reducedKeys`: what a node wrote there is not what the key holds after the step); the chat graph has neither, and
 * its values are rebuilt from stored events alone.
 */
export function runStreamModes(graph: StreamedGraph, options: { subgraphs?: boolean } = {}): RunStreamMode[] {
  const usesToolNode = Object.values(graph.nodes).some((node) => (node as { bound?: unknown } | null)?.bound instanceof ToolNode);
  const modes: RunStreamMode[] = usesToolNode ? ["messages", "updates", "custom", "tools"] : ["messages", "updates", "custom"];
  return options.subgraphs || reducedKeys(graph).size > 0 ? [...modes, "values"] : modes;
}

/** What `runStreamModes` and `reducedKeys` read of a compiled graph. */
export interface StreamedGraph {
  nodes: Record<string, unknown>;
  channels?: Record<string, unknown>;
  outputChannels?: string | string[];
}

/**
 * The graph's output keys, `messages` aside (the transcript rebuilds them), whose channel combines writes with a
 * reducer (a list that concatenates, a sum): their value after a step must be read from the state, not the update.
 */
export function reducedKeys(graph: StreamedGraph): ReadonlySet<string> {
  const outputs = typeof graph.outputChannels === "string" ? [graph.outputChannels] : (graph.outputChannels ?? []);
  return new Set(outputs.filter((key) => key !== "messages" && isReducerChannel(graph.channels?.[key])));
}

function isReducerChannel(channel: unknown): boolean {
  return channel instanceof BinaryOperatorAggregate || channel instanceof Topic || channel instanceof DeltaChannel;
}
