import { randomUUID } from "node:crypto";
import { AIMessage, type BaseMessage, HumanMessage } from "@langchain/core/messages";
import { tool } from "@langchain/core/tools";
import { MessagesAnnotation, START, StateGraph } from "@langchain/langgraph";
import { ToolNode, toolsCondition } from "@langchain/langgraph/prebuilt";
import { PostgresSaver } from "@langchain/langgraph-checkpoint-postgres";
import pg from "pg";
import { z } from "zod";
import { FakeChatModel } from "../../src/models/fake-chat-model.js";
import { calculator } from "../../tools/calculator.js";
import type { CountedMessage } from "./conversation.js";
import { measureStoredBytes, type StoredBytes } from "./stored-bytes.js";
import type { BenchTarget, ThreadRead, TurnOutput } from "./target.js";

/** Options of the baseline side. */
export interface BaselineTargetOptions {
  databaseUrl: string;
  replyMinChars: number;
}

/**
 * The reference: what an app built directly on LangGraph.js does. A `MessagesAnnotation` graph (model node →
 * prebuilt `ToolNode` → model) compiled with `PostgresSaver`, streamed per turn with `messages` + `updates`
 * like a server relaying tokens would, each turn consumed to the end.
 */
export class BaselineTarget implements BenchTarget {
  readonly name = "baseline";
  readonly reads: readonly ThreadRead[];

  private constructor(
    private readonly pool: pg.Pool,
    private readonly graph: ReturnType<typeof buildGraph>,
  ) {
    const config = (threadId: string) => ({ configurable: { thread_id: threadId } });
    this.reads = [
      { key: "state", label: "graph.getState", read: (threadId) => graph.getState(config(threadId)) },
      {
        key: "first_page",
        label: "graph.getState → last 10 messages",
        read: async (threadId) => ((await graph.getState(config(threadId))).values as { messages: BaseMessage[] }).messages.slice(-10),
      },
      {
        key: "history",
        label: "graph.getStateHistory limit 10",
        read: async (threadId) => {
          const snapshots: unknown[] = [];
          for await (const snapshot of graph.getStateHistory(config(threadId), { limit: 10 })) snapshots.push(snapshot);
          return snapshots;
        },
      },
    ];
  }

  /** Connect, let the saver create its tables (`setup()`), and compile the graph. */
  static async start(options: BaselineTargetOptions): Promise<BaselineTarget> {
    const pool = new pg.Pool({ connectionString: options.databaseUrl, max: 10 });
    // Like Threadline's own pool: an idle client dropped by the server (the final DROP DATABASE … WITH (FORCE))
    // must not crash the process with an unhandled 'error' event.
    pool.on("error", () => undefined);
    try {
      const checkpointer = new PostgresSaver(pool);
      await checkpointer.setup();
      return new BaselineTarget(pool, buildGraph(checkpointer, options.replyMinChars));
    } catch (error) {
      await pool.end();
      throw error;
    }
  }

  /** LangGraph threads need no creation: a new id is a new thread. */
  createThread(): Promise<string> {
    return Promise.resolve(randomUUID());
  }

  /** Stream one turn to the end; the completed messages come from the `updates` stream. */
  async turn(threadId: string, text: string): Promise<TurnOutput> {
    const messages: CountedMessage[] = [{ content: text }];
    const stream = await this.graph.stream(
      { messages: [new HumanMessage(text)] },
      { configurable: { thread_id: threadId }, streamMode: ["messages", "updates"] },
    );
    for await (const [mode, chunk] of stream) {
      if (mode !== "updates") continue;
      for (const update of Object.values(chunk as Record<string, { messages?: BaseMessage[] } | undefined>)) {
        for (const message of update?.messages ?? []) messages.push(toCountedMessage(message));
      }
    }
    return { messages, busyRetries: 0 };
  }

  /** The checkpointer's three tables, for this thread. */
  storedBytes(threadId: string): Promise<StoredBytes> {
    return measureStoredBytes(this.pool, threadId);
  }

  /** Close the pool. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.pool.end();
  }
}

function buildGraph(checkpointer: PostgresSaver, replyMinChars: number) {
  // The same arithmetic as Threadline's calculator, so both conversations carry byte-identical tool results.
  const calculatorTool = tool(
    ({ expression }) => calculator.execute({ expression }, { userId: "bench", threadId: "", runId: "", db: { query: unusedQuery }, signal: new AbortController().signal }),
    { name: calculator.name, description: calculator.description, schema: z.object({ expression: z.string().min(1).max(500) }) },
  );
  const model = new FakeChatModel({ replyMinChars }).bindTools();
  const callModel = async (state: typeof MessagesAnnotation.State) => ({ messages: [await model.invoke(state.messages)] });
  return new StateGraph(MessagesAnnotation)
    .addNode("model", callModel)
    .addNode("tools", new ToolNode([calculatorTool]))
    .addEdge(START, "model")
    .addConditionalEdges("model", toolsCondition, ["tools", "__end__"])
    .addEdge("tools", "model")
    .compile({ checkpointer });
}

function unusedQuery(): never {
  throw new Error("the calculator does not use the database");
}

function toCountedMessage(message: BaseMessage): CountedMessage {
  const toolCalls = AIMessage.isInstance(message) ? (message.tool_calls ?? []) : [];
  return { content: message.text, toolCallArgs: toolCalls.map((call) => call.args) };
}
