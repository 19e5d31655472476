import { Annotation, END, START, StateGraph } from "@langchain/langgraph";

/** A developer's graph whose state has no messages: `topic` in, `joke` out (LangGraph's own tutorials' shape). */
const TopicState = Annotation.Root({ topic: Annotation<string>, joke: Annotation<string> });

export const graph = new StateGraph(TopicState)
  .addNode("write", (state) => ({ joke: `A joke about ${state.topic}` }))
  .addEdge(START, "write")
  .addEdge("write", END)
  .compile();
