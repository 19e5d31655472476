import { Annotation, END, START, StateGraph } from "@langchain/langgraph";

/** A graph whose input schema is narrower than its state: `question` in; `scratch` and `answer` are its own. */
const State = Annotation.Root({ question: Annotation<string>, scratch: Annotation<string>, answer: Annotation<string> });
const Input = Annotation.Root({ question: Annotation<string> });

export const graph = new StateGraph({ stateSchema: State, input: Input })
  .addNode("solve", (state: typeof State.State) => ({ scratch: "thinking", answer: `A:${state.question}` }))
  .addEdge(START, "solve")
  .addEdge("solve", END)
  .compile();
