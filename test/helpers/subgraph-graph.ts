import { AIMessage } from "@langchain/core/messages";
import { FakeListChatModel } from "@langchain/core/utils/testing";
import { Annotation, END, type LangGraphRunnableConfig, MessagesAnnotation, START, StateGraph } from "@langchain/langgraph";

/** The research subgraph's state: the parent's messages, and notes of its own (the parent never sees them). */
const ResearchState = Annotation.Root({
  ...MessagesAnnotation.spec,
  notes: Annotation<string[]>({ reducer: (left, right) => left.concat(right), default: () => [] }),
});

/** `search` reports progress and takes a note; `summarize` streams a reply from a fake model (token deltas). */
const research = new StateGraph(ResearchState)
  .addNode("search", (_state, config: LangGraphRunnableConfig) => {
    config.writer?.({ stage: "searching" });
    return { notes: ["found"] };
  })
  .addNode("summarize", async (state, config: LangGraphRunnableConfig) => {
    const reply = await new FakeListChatModel({ responses: ["summary"] }).invoke(state.messages, config);
    return { messages: [reply] };
  })
  .addEdge(START, "search")
  .addEdge("search", "summarize")
  .addEdge("summarize", END)
  .compile();

/**
 * A chat-shaped graph with a compiled subgraph as a node, as LangGraph users nest agents: `research` (the subgraph
 * above: a custom chunk, a note, a streamed reply), then `respond`, which writes a chunk and answers. For the
 * `stream_subgraphs` tests; compiled without checkpointer or store.
 */
export const graph = new StateGraph(MessagesAnnotation)
  .addNode("research", research)
  .addNode("respond", (_state, config: LangGraphRunnableConfig) => {
    config.writer?.({ stage: "responding" });
    return { messages: [new AIMessage({ id: "respond-reply", content: "done" })] };
  })
  .addEdge(START, "research")
  .addEdge("research", "respond")
  .addEdge("respond", END)
  .compile();
