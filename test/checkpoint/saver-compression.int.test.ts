import { randomUUID } from "node:crypto";
import { emptyCheckpoint, uuid6 } from "@langchain/langgraph-checkpoint";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { COMPRESSED_JSON_TYPE } from "../../src/checkpoint/message-compression.js";
import { ThreadlineSaver } from "../../src/checkpoint/threadline-saver.js";
import { STORAGE_BACKENDS, type StorageBackend } from "../storage/storage-backends.js";

/** A running summary as long as the ones a bounded context keeps (every version is kept for replay). */
const SUMMARY = {
  text: Array.from({ length: 40 }, (_, index) => `Turn ${index}: the user asked about the weather in Paris and the assistant answered.`).join(" "),
  folded_through: "msg-40",
};

// Values other than messages (a running summary, a tool's output in a pending write) are stored compressed.
describe.each(STORAGE_BACKENDS)("ThreadlineSaver compresses stored values on $name", (kind) => {
  let backend: StorageBackend;
  let saver: ThreadlineSaver;

  beforeAll(async () => {
    backend = await kind.open();
    saver = new ThreadlineSaver(backend.pool);
  });
  afterAll(async () => backend.dispose());

  it("a long channel value and a long pending write are stored compressed and read back exactly", async () => {
    const threadId = randomUUID();
    const checkpoint = { ...emptyCheckpoint(), id: uuid6(-1), channel_values: { summary: SUMMARY, step: 1 }, channel_versions: { summary: 1, step: 1 } };
    const config = await saver.put({ configurable: { thread_id: threadId, checkpoint_ns: "" } }, checkpoint, { source: "loop", step: 1, parents: {} }, { summary: 1, step: 1 });
    await saver.putWrites(config, [["tool_output", SUMMARY.text]], "task-1");

    const blobs = await backend.pool.query<{ channel: string; type: string; size: number }>("SELECT channel, type, octet_length(blob) AS size FROM checkpoint_blobs WHERE thread_id = $1 ORDER BY channel", [threadId]);
    const summaryBlob = blobs.rows.find((row) => row.channel === "summary");
    expect(summaryBlob?.type).toBe(COMPRESSED_JSON_TYPE);
    expect(summaryBlob?.size).toBeLessThan(JSON.stringify(SUMMARY).length / 3);
    // A short value gains nothing from compression and stays as the serializer wrote it.
    expect(blobs.rows.find((row) => row.channel === "step")?.type).toBe("json");
    const writes = await backend.pool.query<{ type: string }>("SELECT type FROM checkpoint_writes WHERE thread_id = $1", [threadId]);
    expect(writes.rows.map((row) => row.type)).toEqual([COMPRESSED_JSON_TYPE]);

    // A fresh saver has nothing cached: the values come from the stored rows.
    const tuple = await new ThreadlineSaver(backend.pool).getTuple(config);
    expect(tuple?.checkpoint.channel_values).toEqual({ summary: SUMMARY, step: 1 });
    expect(tuple?.pendingWrites).toEqual([["task-1", "tool_output", SUMMARY.text]]);
  });
});
