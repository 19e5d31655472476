import type { RunnableConfig } from "@langchain/core/runnables";
import type { ChannelVersions, Checkpoint, CheckpointMetadata, PendingWrite } from "@langchain/langgraph-checkpoint";
import { PostgresSaver } from "@langchain/langgraph-checkpoint-postgres";
import type pg from "pg";
import { ThreadlineSaver } from "../../src/checkpoint/threadline-saver.js";

/** The thread id the mirror writes a thread's checkpoints under. */
export const mirrorOf = (threadId: string) => `mirror-${threadId}`;

/**
 * A ThreadlineSaver that hands every put and putWrites, at the same moment and with the same arguments, to a plain
 * PostgresSaver under `mirror-<thread>`: what the two read back must then be identical.
 */
export class MirroredSaver extends ThreadlineSaver {
  readonly plain: PostgresSaver;

  constructor(pool: pg.Pool) {
    super(pool);
    this.plain = new PostgresSaver(pool);
  }

  // eslint-disable-next-line max-params
  override async put(config: RunnableConfig, checkpoint: Checkpoint, metadata: CheckpointMetadata, newVersions: ChannelVersions): Promise<RunnableConfig> {
    // PostgresSaver serialises before its first await, so it sees the values exactly as this call does.
    const mirrored = this.plain.put(mirrorConfig(config), checkpoint, metadata, newVersions);
    const result = await super.put(config, checkpoint, metadata, newVersions);
    await mirrored;
    return result;
  }

  override async putWrites(config: RunnableConfig, writes: PendingWrite[], taskId: string): Promise<void> {
    const mirrored = this.plain.putWrites(mirrorConfig(config), writes, taskId);
    await super.putWrites(config, writes, taskId);
    await mirrored;
  }
}

function mirrorConfig(config: RunnableConfig): RunnableConfig {
  const configurable = config.configurable ?? {};
  return { ...config, configurable: { ...configurable, thread_id: mirrorOf(String(configurable.thread_id)) } };
}
