import { AIMessageChunk, type BaseMessage, isBaseMessage } from "@langchain/core/messages";
import { checkCustomChunk, type CustomChunkCheck } from "./custom-chunk.js";

/** The stream modes of a subgraph a run that asked for `stream_subgraphs` stores (`subgraph.streamed` events). */
export const SUBGRAPH_STREAM_MODES = ["values", "updates", "messages"] as const;

/** One of `SUBGRAPH_STREAM_MODES`. */
export type SubgraphStreamMode = (typeof SUBGRAPH_STREAM_MODES)[number];

/** LangGraph's namespace of the root graph: its own output. */
export const ROOT_NAMESPACE: readonly string[] = [];

/**
 * What a `messages` tuple's metadata keeps: where in the graph the message came from and which model made it.
 * LangGraph's metadata also holds the run's configurable values and channel versions, which are not the client's.
 */
const MESSAGE_METADATA_KEYS = ["tags", "langgraph_step", "langgraph_node", "langgraph_triggers", "langgraph_path", "langgraph_checkpoint_ns", "checkpoint_ns", "ls_provider", "ls_model_name", "ls_model_type"];

/** Whether LangGraph's `mode` is one whose subgraph output is stored. */
export function isSubgraphStreamMode(mode: string): mode is SubgraphStreamMode {
  return (SUBGRAPH_STREAM_MODES as readonly string[]).includes(mode);
}

/**
 * A subgraph's `values`, `updates` or `messages` chunk as it will be stored, or why it is dropped: LangChain
 * messages become LangGraph's message dicts (`{type, id, content, …}`, as LangGraph Platform serialises them: `ai`
 * in states and updates, `AIMessageChunk` for a streamed piece, as the root's tuples), a `messages` tuple keeps its
 * metadata's LangGraph keys, and the result is
 * checked as a custom chunk is (JSON, `CUSTOM_CHUNK_MAX_BYTES`, `CUSTOM_CHUNK_MAX_DEPTH`).
 * @example checkSubgraphChunk("updates", { search: { notes: ["found"] } }); // { kept: true, data: {...} }
 */
export function checkSubgraphChunk(mode: SubgraphStreamMode, chunk: unknown): CustomChunkCheck {
  const value = mode === "messages" ? messageTuple(chunk) : chunk;
  try {
    // A replacer sees what toJSON made of a message (LangChain's constructor form); `this[key]` is the message itself.
    const json = JSON.stringify(value, function (this: Record<string, unknown>, key, item: unknown) {
      const raw = this[key];
      return isBaseMessage(raw) ? messageDict(raw, mode === "messages") : item;
    });
    if (json === undefined) return { kept: false, reason: "unserialisable" };
    return checkCustomChunk(JSON.parse(json));
  } catch {
    return { kept: false, reason: "unserialisable" };
  }
}

function messageTuple(chunk: unknown): unknown {
  const [message, metadata] = Array.isArray(chunk) ? (chunk as [unknown, Record<string, unknown> | undefined]) : [chunk, undefined];
  const kept = Object.fromEntries(MESSAGE_METADATA_KEYS.filter((key) => metadata?.[key] !== undefined).map((key) => [key, metadata?.[key]]));
  return [message, kept];
}

function messageDict(message: BaseMessage, piece: boolean): Record<string, unknown> {
  const { type, data } = message.toDict();
  return { ...data, type: piece && AIMessageChunk.isInstance(message) ? "AIMessageChunk" : type };
}
