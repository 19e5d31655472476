import { AIMessage } from "@langchain/core/messages";
import { END, getStore, MessagesAnnotation, START, StateGraph } from "@langchain/langgraph";

/**
 * A test graph that remembers: it answers with the `name` its user's store holds under ["profile"] / "name", and
 * records what it was last told under ["recall"] / "last". Compiled without checkpointer or store, as graphs are.
 */
export const graph = new StateGraph(MessagesAnnotation)
  .addNode("recall", async (state) => {
    const store = getStore();
    if (!store) throw new Error("the runtime gave this run no store");
    const profile = await store.get(["profile"], "name");
    await store.put(["recall"], "last", { text: state.messages.at(-1)?.text ?? "" });
    return { messages: [new AIMessage(`name: ${String(profile?.value.name ?? "unknown")}`)] };
  })
  .addEdge(START, "recall")
  .addEdge("recall", END)
  .compile();
