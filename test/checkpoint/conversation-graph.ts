import { AIMessage, AIMessageChunk, type BaseMessage, RemoveMessage, ToolMessage } from "@langchain/core/messages";
import { Annotation, type BaseCheckpointSaver, END, interrupt, MessagesAnnotation, START, StateGraph } from "@langchain/langgraph";

/** A conversation state with the shapes a chat graph stores: messages, a summary, a structured answer. */
export const ConversationState = Annotation.Root({
  ...MessagesAnnotation.spec,
  summary: Annotation<string>(),
  structured_response: Annotation<unknown>(),
});

type State = typeof ConversationState.State;

/**
 * A scripted "model" whose reply depends on the last user message, so one test can drive every kind of message
 * and value through a saver: tool calls and results, chunks, messages without ids, content blocks, a message
 * nested inside a plain object, evictions with RemoveMessage, and an interrupt.
 */
function model(state: State): Partial<State> {
  const last = state.messages.at(-1);
  const turn = state.messages.length;
  if (last?.getType() === "tool") return { messages: [new AIMessage({ id: `ai-${turn}`, content: `工具返回 ${typeof last.content === "string" ? last.content : "?"} ✓` })] };
  const text = typeof last?.content === "string" ? last.content : "";
  if (text.startsWith("tool")) {
    return {
      messages: [
        new AIMessage({
          id: `ai-${turn}`,
          content: "",
          tool_calls: [{ id: `call-${turn}`, name: "calculator", args: { expression: `${turn} * 2` }, type: "tool_call" }],
          usage_metadata: { input_tokens: turn, output_tokens: 3, total_tokens: turn + 3 },
          response_metadata: { model: "scripted", finish_reason: "tool_calls" },
        }),
      ],
    };
  }
  if (text.startsWith("chunk")) return { messages: [new AIMessageChunk({ id: `chunk-${turn}`, content: "streamed reply" })] };
  if (text.startsWith("noid")) return { messages: [new AIMessage({ content: "a reply the reducer gives an id" })] };
  if (text.startsWith("blocks")) {
    return { messages: [new AIMessage({ id: `ai-${turn}`, content: [{ type: "text", text: "block one" }, { type: "text", text: "第二块" }], additional_kwargs: { nested: { deep: [1, 2, { x: null }] }, looks_serialized: { lc: 1, type: "secret", id: ["NOT_A_SECRET"] } } })] };
  }
  if (text.startsWith("structured")) {
    const answer = new AIMessage({ id: `ai-${turn}`, content: '{"answer":42}' });
    return { messages: [answer], structured_response: { answer: 42, quote: answer, history: [answer] } };
  }
  if (text.startsWith("evict")) {
    const oldest = state.messages.slice(0, 2).flatMap((message) => (message.id ? [new RemoveMessage({ id: message.id })] : []));
    return { messages: [...oldest, new AIMessage({ id: `ai-${turn}`, content: "folded" })], summary: `summary at ${turn}` };
  }
  if (text.startsWith("approve")) {
    const decision = interrupt<{ question: string }, string>({ question: "send it?" });
    return { messages: [new AIMessage({ id: `ai-${turn}`, content: `decision: ${decision}` })] };
  }
  return { messages: [new AIMessage({ id: `ai-${turn}`, content: `reply to “${text}” 😀` })] };
}

function tools(state: State): Partial<State> {
  const last = state.messages.at(-1) as AIMessage;
  return { messages: (last.tool_calls ?? []).map((call) => new ToolMessage({ id: `tool-${call.id ?? ""}`, content: "42", tool_call_id: call.id ?? "", name: call.name, status: "success" })) };
}

function next(state: State): "tools" | typeof END {
  const last = state.messages.at(-1);
  return last instanceof AIMessage && (last.tool_calls?.length ?? 0) > 0 ? "tools" : END;
}

/** The graph, compiled with `checkpointer`. */
export function conversationGraph(checkpointer: BaseCheckpointSaver) {
  return new StateGraph(ConversationState)
    .addNode("model", model)
    .addNode("tools", tools)
    .addEdge(START, "model")
    .addConditionalEdges("model", next, ["tools", END])
    .addEdge("tools", "model")
    .compile({ checkpointer });
}

/** Message ids and contents, for readable assertions. */
export function contents(messages: readonly BaseMessage[]): string[] {
  return messages.map((message) => `${message.getType()}:${typeof message.content === "string" ? message.content : JSON.stringify(message.content)}`);
}
