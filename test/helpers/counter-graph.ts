import { Annotation, END, START, StateGraph } from "@langchain/langgraph";

/** A graph whose state has a key with a default (`count`, a reducer starting at 0): `topic` in, `count` up by one. */
const CounterState = Annotation.Root({
  topic: Annotation<string>,
  count: Annotation<number>({ reducer: (total, add) => total + add, default: () => 0 }),
});

export const graph = new StateGraph(CounterState)
  .addNode("increment", () => ({ count: 1 }))
  .addEdge(START, "increment")
  .addEdge("increment", END)
  .compile();
