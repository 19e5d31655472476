import { AIMessage, HumanMessage, RemoveMessage } from "@langchain/core/messages";
import { type BaseCheckpointSaver, END, MessagesAnnotation, START, StateGraph } from "@langchain/langgraph";

/**
 * A chat graph whose working context is bounded the way Threadline's is: after each reply, messages beyond the
 * last `window` are removed with RemoveMessage (the transcript keeps them; the state does not). `window: Infinity`
 * keeps everything, like a plain LangGraph chat.
 */
export function windowedChatGraph(checkpointer: BaseCheckpointSaver, options: { window: number }) {
  return new StateGraph(MessagesAnnotation)
    .addNode("model", (state) => {
      const turn = state.messages.filter((message) => message.getType() === "human").length;
      return { messages: [new AIMessage({ id: `ai-${turn}`, content: `Reply ${turn}: ${"the quick brown fox jumps over the lazy dog ".repeat(9)}` })] };
    })
    .addNode("trim", (state) => {
      const excess = state.messages.length - options.window;
      return { messages: excess > 0 ? state.messages.slice(0, excess).map((message) => new RemoveMessage({ id: message.id ?? "" })) : [] };
    })
    .addEdge(START, "model")
    .addEdge("model", "trim")
    .addEdge("trim", END)
    .compile({ checkpointer });
}

/** The user's message of turn `turn`: about 200 characters, like the benchmark's. */
export function userTurn(turn: number): HumanMessage {
  return new HumanMessage({ id: `user-${turn}`, content: `Turn ${turn}: ${"please remember the garden invoice river schedule ".repeat(4)}` });
}
