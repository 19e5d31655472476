import { Annotation, END, START, StateGraph } from "@langchain/langgraph";

const State = Annotation.Root({ n: Annotation<number> });

/** An uncompiled graph LangGraph refuses to build (a node no edge reaches): compiled when loaded. */
export const builder = new StateGraph(State)
  .addNode("first", () => ({ n: 1 }))
  .addNode("orphan", () => ({ n: 2 }))
  .addEdge(START, "first")
  .addEdge("first", END);
