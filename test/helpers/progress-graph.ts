import { AIMessage } from "@langchain/core/messages";
import { FakeListChatModel } from "@langchain/core/utils/testing";
import { END, type LangGraphRunnableConfig, MessagesAnnotation, START, StateGraph } from "@langchain/langgraph";

/** What the user's message asks the `report` node to write before its reply (none: a progress report). */
const BAD_CHUNKS: Record<string, () => unknown> = {
  oversized: () => ({ blob: "x".repeat(150_000) }),
  bigint: () => ({ count: 10n }),
  circular: () => {
    const chunk: Record<string, unknown> = { stage: "loop" };
    chunk.self = chunk;
    return chunk;
  },
  deep: () => {
    let chunk: unknown = "bottom";
    for (let level = 0; level < 100; level += 1) chunk = [chunk];
    return chunk;
  },
  undefined: () => undefined,
  unstorable: () => ({ text: "nul\u0000 and lone \ud800" }),
};

/** How many chunks the user message "flood" makes `report` write before its progress report. */
export const FLOOD_CHUNKS = 2_000;

/**
 * A graph reporting progress through LangGraph's `custom` stream mode, as user graphs do: `report` writes a chunk,
 * streams a reply from a fake model (token deltas), writes another; `finish` writes one and answers. A user message
 * naming an entry of BAD_CHUNKS makes `report` write that chunk first, "flood" FLOOD_CHUNKS small ones. Compiled without checkpointer or store.
 */
export const graph = new StateGraph(MessagesAnnotation)
  .addNode("report", async (state, config: LangGraphRunnableConfig) => {
    const asked = state.messages.at(-1)?.text ?? "";
    const bad = BAD_CHUNKS[asked];
    if (bad) config.writer?.(bad());
    // "flood": a graph writing in a loop, far past any run's cap of custom events.
    if (asked === "flood") for (let index = 0; index < FLOOD_CHUNKS; index += 1) config.writer?.({ index });
    config.writer?.({ stage: "started", asked });
    const reply = await new FakeListChatModel({ responses: ["streamed reply"] }).invoke(state.messages, config);
    // LangChain runs callback handlers (LangGraph's `messages` mode among them) in the background: the reply's
    // last tokens may reach the stream after a write made at once. A moment later, they are all in.
    await new Promise((resolve) => setTimeout(resolve, 50));
    config.writer?.({ stage: "replied", progress: 0.5 });
    return { messages: [reply] };
  })
  .addNode("finish", (_state, config: LangGraphRunnableConfig) => {
    config.writer?.("done");
    return { messages: [new AIMessage({ id: "finish-reply", content: "finished" })] };
  })
  .addEdge(START, "report")
  .addEdge("report", "finish")
  .addEdge("finish", END)
  .compile();
