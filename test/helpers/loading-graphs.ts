import { Annotation, END, START, StateGraph } from "@langchain/langgraph";

/** A state with one counter: each run adds one (`n`). */
const CountState = Annotation.Root({ n: Annotation<number>({ reducer: (total, add) => total + add, default: () => 0 }) });

function countGraph() {
  return new StateGraph(CountState)
    .addNode("inc", () => ({ n: 1 }))
    .addEdge(START, "inc")
    .addEdge("inc", END)
    .compile();
}

/** An async factory (`async (config) => graph`), as LangGraph Platform's loader awaits one. */
export const asyncFactory = async (_config: unknown) => {
  await Promise.resolve();
  return countGraph();
};

/** A graph exported as a promise (built asynchronously when the module loads). */
export const promised = Promise.resolve(countGraph());

/** A factory that fails when called (a missing setting, say). */
export const throwingFactory = (_config: unknown) => {
  throw new Error("factory exploded");
};

/** An async factory whose promise rejects. */
export const rejectingFactory = async (_config: unknown) => {
  await Promise.resolve();
  throw new Error("no API key for the tool");
};
