import { AIMessage } from "@langchain/core/messages";
import { END, type LangGraphRunnableConfig, MessagesAnnotation, START, StateGraph } from "@langchain/langgraph";

/** A developer's graph configured through its assistant: it greets with its assistant's `context.greeting`. */
export const graph = new StateGraph(MessagesAnnotation)
  .addNode("greet", (_state, config: LangGraphRunnableConfig) => {
    const greeting = (config.context as { greeting?: unknown } | undefined)?.greeting;
    return { messages: [new AIMessage(typeof greeting === "string" ? greeting : "(no greeting set)")] };
  })
  .addEdge(START, "greet")
  .addEdge("greet", END)
  .compile();
