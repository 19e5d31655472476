import { END, START, StateGraph } from "@langchain/langgraph";
import { z } from "zod";

// A graph whose state is a zod object (LangGraph derives JSON Schemas from it, unlike an Annotation.Root state),
// with a compiled graph as one of its nodes: what `/assistants/{id}/schemas` and `/subgraphs` describe.

const ResearchState = z.object({ question: z.string(), notes: z.array(z.string()).default([]) });

const research = new StateGraph(ResearchState)
  .addNode("search", () => ({ notes: ["found"] }))
  .addNode("summarize", (state: z.infer<typeof ResearchState>) => ({ notes: [`${state.notes.length} note(s)`] }))
  .addEdge(START, "search")
  .addEdge("search", "summarize")
  .addEdge("summarize", END)
  .compile();

const PlannerState = z.object({ question: z.string().describe("what to plan"), notes: z.array(z.string()).default([]), answer: z.string().optional() });

/** Planner: a research subgraph, then an answer. */
export const graph = new StateGraph(PlannerState)
  .addNode("research", research)
  .addNode("respond", (state: z.infer<typeof PlannerState>) => ({ answer: state.notes.join(", ") }))
  .addEdge(START, "research")
  .addEdge("research", "respond")
  .addEdge("respond", END)
  .compile();
