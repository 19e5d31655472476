import { Annotation, END, START, StateGraph } from "@langchain/langgraph";

const State = Annotation.Root({ n: Annotation<number>({ reducer: (total, add) => total + add, default: () => 0 }) });

/** A developer's own error class. */
class MyCustomError extends Error {
  override name = "MyCustomError";
}

/** An error class that leaves `name` as "Error" (its constructor names it). */
class QuotaExceeded extends Error {}

/** A node that throws the developer's own error. */
export const throwing = new StateGraph(State)
  .addNode("fail", () => {
    throw new MyCustomError("the custom node failed");
  })
  .addEdge(START, "fail")
  .addEdge("fail", END)
  .compile();

/** A node that throws a subclass without a name of its own. */
export const unnamed = new StateGraph(State)
  .addNode("fail", () => {
    throw new QuotaExceeded("quota exceeded");
  })
  .addEdge(START, "fail")
  .addEdge("fail", END)
  .compile();

/** A graph that never ends: LangGraph stops it with GraphRecursionError. */
export const looping = new StateGraph(State)
  .addNode("again", () => ({ n: 1 }))
  .addEdge(START, "again")
  .addConditionalEdges("again", () => "again", ["again"])
  .compile();
