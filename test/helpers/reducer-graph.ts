import { AIMessage, type BaseMessage, RemoveMessage } from "@langchain/core/messages";
import { Annotation, END, MessagesAnnotation, Send, START, StateGraph } from "@langchain/langgraph";

/**
 * A developer's graph whose streamed values need LangGraph's reducers: `fan` sends each of `topics` to `map` in one
 * step (three parallel writes to `items`, a list that concatenates), `tally` adds to `count` (a sum), and `trim`
 * drops the thread's oldest message with a `RemoveMessage`, then replies.
 */
const ReducerState = Annotation.Root({
  ...MessagesAnnotation.spec,
  topics: Annotation<string[]>,
  items: Annotation<string[]>({ reducer: (all, more) => [...all, ...more], default: () => [] }),
  count: Annotation<number>({ reducer: (total, add) => total + add, default: () => 0 }),
});

export const graph = new StateGraph(ReducerState)
  .addNode("map", (state: { topic: string }) => ({ items: [`m(${state.topic})`] }))
  .addNode("tally", () => ({ count: 1 }))
  .addNode("trim", (state: { messages: BaseMessage[] }) => ({
    messages: [...state.messages.slice(0, 1).map((message) => new RemoveMessage({ id: message.id ?? "" })), new AIMessage(`kept ${state.messages.length - 1}`)],
  }))
  .addConditionalEdges(START, (state: typeof ReducerState.State) => state.topics.map((topic) => new Send("map", { topic })))
  .addEdge("map", "tally")
  .addEdge("tally", "trim")
  .addEdge("trim", END)
  .compile();
