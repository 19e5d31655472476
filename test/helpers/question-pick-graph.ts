import { AIMessage } from "@langchain/core/messages";
import { END, interrupt, MessagesAnnotation, START, StateGraph } from "@langchain/langgraph";

/**
 * A question whose options are not plain strings (`{label, value}`), worded under `message`: the answer is the
 * option's value, as given. Replies with it as JSON. Compiled without checkpointer.
 */
export const graph = new StateGraph(MessagesAnnotation)
  .addNode("pick", () => {
    const answer: unknown = interrupt({ message: "Which size?", options: [{ label: "Small", value: { size: 1 } }, { label: "Large", value: { size: 3 } }, 7] });
    return { messages: [new AIMessage(`Picked: ${JSON.stringify(answer)}`)] };
  })
  .addEdge(START, "pick")
  .addEdge("pick", END)
  .compile();
