import { AIMessage } from "@langchain/core/messages";
import { END, interrupt, MessagesAnnotation, START, StateGraph } from "@langchain/langgraph";

/**
 * A developer's graph that asks its user a question with LangGraph's `interrupt()` (not a tool approval): `ask`
 * interrupts with `{question, options}` and replies with whatever the answer was. Compiled without checkpointer.
 */
export const graph = new StateGraph(MessagesAnnotation)
  .addNode("ask", () => {
    const answer: unknown = interrupt({ question: "Are you sure?", options: ["yes", "no"] });
    return { messages: [new AIMessage(`You answered: ${JSON.stringify(answer)}`)] };
  })
  .addEdge(START, "ask")
  .addEdge("ask", END)
  .compile();
