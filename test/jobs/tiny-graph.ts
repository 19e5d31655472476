import { Annotation, type BaseCheckpointSaver, END, START, StateGraph } from "@langchain/langgraph";

const TinyState = Annotation.Root({
  items: Annotation<string[]>({ reducer: (left, right) => left.concat(right), default: () => [] }),
});

/** A two-node graph appending to a list: four checkpoints per invocation (input, start, after a, after b). */
export function tinyGraph(checkpointer: BaseCheckpointSaver, options: { slowB?: () => Promise<void> } = {}) {
  return new StateGraph(TinyState)
    .addNode("a", (state) => ({ items: [`a${state.items.length}`] }))
    .addNode("b", async (state) => {
      await options.slowB?.();
      return { items: [`b${state.items.length}`] };
    })
    .addEdge(START, "a")
    .addEdge("a", "b")
    .addEdge("b", END)
    .compile({ checkpointer });
}

/** Checkpoint rows of a thread in PostgresSaver's tables. */
export async function checkpointCounts(pool: { query: (text: string, values: unknown[]) => Promise<{ rows: { n: string }[] }> }, threadId: string) {
  const count = async (table: string) => Number((await pool.query(`SELECT count(*) AS n FROM ${table} WHERE thread_id = $1`, [threadId])).rows[0]?.n ?? 0);
  return { checkpoints: await count("checkpoints"), blobs: await count("checkpoint_blobs"), writes: await count("checkpoint_writes") };
}
