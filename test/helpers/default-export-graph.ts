import { Annotation, END, START, StateGraph } from "@langchain/langgraph";

const State = Annotation.Root({ greeting: Annotation<string> });

/** A graph declared by its file alone (`"./default-export-graph.ts"`): LangGraph Platform's loader takes the default export. */
export default new StateGraph(State)
  .addNode("greet", () => ({ greeting: "hello from the default export" }))
  .addEdge(START, "greet")
  .addEdge("greet", END)
  .compile();
