import { AIMessage } from "@langchain/core/messages";
import { END, type LangGraphRunnableConfig, MessagesAnnotation, START, StateGraph } from "@langchain/langgraph";
import { z } from "zod";

/** The context this graph declares: LangGraph checks every run's context against it; Threadline checks assistants'. */
const ToneContext = z.object({ tone: z.enum(["formal", "casual"]), signature: z.string().max(20).optional() });

/** A developer's graph with a declared context schema: it answers in its assistant's `tone`, signed. */
export const graph = new StateGraph(MessagesAnnotation, ToneContext)
  .addNode("answer", (_state, config: LangGraphRunnableConfig<z.infer<typeof ToneContext>>) => {
    const { tone, signature } = config.context ?? { tone: "casual" };
    return { messages: [new AIMessage(`${tone === "formal" ? "Good day." : "Hey!"}${signature ? ` — ${signature}` : ""}`)] };
  })
  .addEdge(START, "answer")
  .addEdge("answer", END)
  .compile();
