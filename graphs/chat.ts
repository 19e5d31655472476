import { Annotation, END, type LangGraphRunnableConfig, MessagesAnnotation, START, StateGraph } from "@langchain/langgraph";
import { AIMessage } from "@langchain/core/messages";
import { z } from "zod";
import { requireAgentContext } from "../src/agent/agent-context.js";
import { callModel } from "../src/agent/call-model.js";
import { runToolCalls } from "../src/agent/run-tool-calls.js";
import { RUNS_BEFORE_COMMIT } from "../src/runs/commit-gate.js";
import type { RunningSummary } from "../src/memory/running-summary.js";

/**
 * The chat state: the working context (bounded by the assistant's context budget), the running summary of what
 * was folded out of it, and the last structured answer when the assistant asks for one.
 */
export const ChatState = Annotation.Root({
  ...MessagesAnnotation.spec,
  structured_response: Annotation<unknown>(),
  summary: Annotation<RunningSummary | undefined>(),
});

type State = typeof ChatState.State;

async function modelNode(state: State, config: LangGraphRunnableConfig) {
  return callModel(state, requireAgentContext(config), config);
}

async function toolsNode(state: State, config: LangGraphRunnableConfig) {
  // The config's writer carries each call's start to the runtime (tool.started, when the tool really begins).
  return runToolCalls(state.messages, requireAgentContext(config), config);
}

function nextAfterModel(state: State): "tools" | typeof END {
  const last = state.messages.at(-1);
  return last && AIMessage.isInstance(last) && (last.tool_calls?.length ?? 0) > 0 ? "tools" : END;
}

/**
 * What an assistant's `context` may hold for this graph besides Threadline's settings: nothing. Declared, so that
 * a typo in an assistant's settings (`temprature`) is refused when the assistant is saved instead of being kept.
 */
const ChatContext = z.object({});

/** A tool-calling agent: model → tools → model, until the model answers without calling a tool. */
export const graph = new StateGraph(ChatState, ChatContext)
  // Only model calls and state updates: it may start before its run's submission commits (commit-gate.ts).
  .addNode("model", modelNode, { metadata: { [RUNS_BEFORE_COMMIT]: true } })
  .addNode("tools", toolsNode)
  .addEdge(START, "model")
  .addConditionalEdges("model", nextAfterModel, ["tools", END])
  .addEdge("tools", "model")
  .compile();
