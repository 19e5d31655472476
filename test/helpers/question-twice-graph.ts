import { AIMessage } from "@langchain/core/messages";
import { END, interrupt, MessagesAnnotation, START, StateGraph } from "@langchain/langgraph";

/** One node asking two questions in a row (`first?`, then `second?`), replying with both answers. */
export const graph = new StateGraph(MessagesAnnotation)
  .addNode("ask", () => {
    const first: unknown = interrupt("first?");
    const second: unknown = interrupt("second?");
    return { messages: [new AIMessage(`answers: ${JSON.stringify([first, second])}`)] };
  })
  .addEdge(START, "ask")
  .addEdge("ask", END)
  .compile();
