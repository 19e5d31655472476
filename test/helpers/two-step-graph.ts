import { AIMessage } from "@langchain/core/messages";
import { END, MessagesAnnotation, START, StateGraph } from "@langchain/langgraph";

/** A developer's two-node messages graph (`greet` → `second`), each node adding a reply: streams must name them. */
export const graph = new StateGraph(MessagesAnnotation)
  .addNode("greet", () => ({ messages: [new AIMessage("Hello from greet")] }))
  .addNode("second", () => ({ messages: [new AIMessage("And from second")] }))
  .addEdge(START, "greet")
  .addEdge("greet", "second")
  .addEdge("second", END)
  .compile();
