import { deltaChannelHistoryTests, validate } from "@langchain/langgraph-checkpoint-validation";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { STORAGE_BACKENDS, type StorageBackend } from "../storage/storage-backends.js";
import { ThreadlineSaver } from "../../src/checkpoint/threadline-saver.js";

// The suite is written against vitest's globals, which this project does not enable.
Object.assign(globalThis, { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it });

// LangGraph's own saver conformance suite (put, putWrites, getTuple, list, deleteThread), against a freshly
// migrated database of each kind Threadline supports.
for (const kind of STORAGE_BACKENDS) {
  let backend: StorageBackend | undefined;
  const initializer: Parameters<typeof validate>[0] = {
    checkpointerName: `ThreadlineSaver on ${kind.name}`,
    beforeAllTimeout: 60_000,
    async beforeAll() {
      backend = await kind.open();
    },
    async afterAll() {
      await backend?.dispose();
    },
    createCheckpointer() {
      if (!backend) throw new Error("backend not open");
      return new ThreadlineSaver(backend.pool);
    },
    async destroyCheckpointer() {
      // Every test writes its own thread ids; emptying the tables keeps tests independent, as the suite expects.
      await backend?.pool.query("TRUNCATE checkpoints, checkpoint_blobs, checkpoint_writes, checkpoint_messages, checkpoint_retention_marks");
    },
  };
  validate(initializer);
  // Opt-in in LangGraph (not part of validate): the parent-chain walk DeltaChannel reads through.
  deltaChannelHistoryTests(initializer);
}
