import { AIMessage } from "@langchain/core/messages";
import { END, interrupt, MessagesAnnotation, START, StateGraph } from "@langchain/langgraph";

/** Two questions asked at once (`left` and `right` run in parallel, each calling `interrupt()`), then a summary. */
export const graph = new StateGraph(MessagesAnnotation)
  .addNode("left", () => ({ messages: [new AIMessage(`left: ${JSON.stringify(interrupt("left?"))}`)] }))
  .addNode("right", () => ({ messages: [new AIMessage(`right: ${JSON.stringify(interrupt("right?"))}`)] }))
  .addEdge(START, "left")
  .addEdge(START, "right")
  .addEdge("left", END)
  .addEdge("right", END)
  .compile();
