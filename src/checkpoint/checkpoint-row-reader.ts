import type { Checkpoint, CheckpointMetadata, CheckpointTuple, SerializerProtocol } from "@langchain/langgraph-checkpoint";
import { maxChannelVersion, TASKS } from "@langchain/langgraph-checkpoint";
import type pg from "pg";
import { decompressRow } from "./message-compression.js";
import { type MessageStore, messageKey, type PrefetchedMessages, type StoredValue } from "./message-store.js";
import type { SaverStatements } from "./saver-sql.js";

/** A row of `selectCheckpoints`: PostgresSaver's columns, blobs and writes as JSON with base64 bodies. */
export interface CheckpointRow {
  thread_id: string;
  checkpoint_ns: string;
  checkpoint_id: string;
  parent_checkpoint_id: string | null;
  checkpoint: Omit<Checkpoint, "channel_values"> & { v: number };
  metadata: Record<string, unknown>;
  channel_values: [channel: string, type: string, body: string | null][] | null;
  pending_writes: [taskId: string, channel: string, type: string, body: string][] | null;
  /** With `selectCheckpointWithMessages`: the stored messages the values refer to. */
  messages?: [ref: number, type: string, body: string][] | null;
}

/** What the reader needs. */
export interface CheckpointRowReaderDeps {
  pool: pg.Pool;
  statements: SaverStatements;
  serde: SerializerProtocol;
  messages: MessageStore;
  /** The version given to a migrated TASKS channel of a checkpoint without versions (PostgresSaver's rule). */
  nextVersion: () => number | string;
}

/** A value to decode and where it goes. */
interface Slot {
  row: number;
  kind: "blob" | "write";
  key: string | [taskId: string, channel: string];
  stored: StoredValue;
}

/** Turns stored checkpoint rows into the tuples PostgresSaver returns for them. */
export class CheckpointRowReader {
  constructor(private readonly deps: CheckpointRowReaderDeps) {}

  /** Decode rows (all values and the messages they refer to in one extra round trip at most). */
  async toTuples(rows: CheckpointRow[], options: { loadMetadata: (metadata: Record<string, unknown>) => Promise<CheckpointMetadata> }): Promise<CheckpointTuple[]> {
    if (rows.length === 0) return [];
    const migrated = await this.pendingSendsOfLegacyRows(rows);
    const slots = rows.flatMap((row, index) => slotsOf(row, index));
    const values = await this.deps.messages.decode(
      slots.map((slot) => slot.stored),
      prefetchedMessages(rows),
    );
    const tuples: CheckpointTuple[] = [];
    for (const [index, row] of rows.entries()) {
      const channelValues: Record<string, unknown> = {};
      const pendingWrites: [string, string, unknown][] = [];
      slots.forEach((slot, position) => {
        if (slot.row !== index) return;
        if (slot.kind === "blob") channelValues[slot.key as string] = values[position];
        else pendingWrites.push([...(slot.key as [string, string]), values[position]]);
      });
      const checkpoint: Checkpoint = { ...row.checkpoint, channel_versions: row.checkpoint.channel_versions ?? {}, versions_seen: row.checkpoint.versions_seen ?? {}, channel_values: channelValues };
      const sends = migrated.get(index);
      if (sends) this.applyPendingSends(checkpoint, sends);
      tuples.push({
        config: { configurable: { thread_id: row.thread_id, checkpoint_ns: row.checkpoint_ns, checkpoint_id: row.checkpoint_id } },
        checkpoint,
        metadata: await options.loadMetadata(row.metadata),
        parentConfig: row.parent_checkpoint_id ? { configurable: { thread_id: row.thread_id, checkpoint_ns: row.checkpoint_ns, checkpoint_id: row.parent_checkpoint_id } } : undefined,
        pendingWrites,
      });
    }
    return tuples;
  }

  /**
   * Checkpoints older than format v4 kept their parent's Send packets as pending writes; PostgresSaver moves them
   * into the TASKS channel when reading. Same here (only rows written by older LangGraph versions).
   */
  private async pendingSendsOfLegacyRows(rows: CheckpointRow[]): Promise<Map<number, unknown[]>> {
    const legacy = rows.map((row, index) => ({ row, index })).filter(({ row }) => row.checkpoint.v < 4 && row.parent_checkpoint_id != null);
    const found = new Map<number, unknown[]>();
    const first = legacy[0];
    if (!first) return found;
    const parents = legacy.map(({ row }) => row.parent_checkpoint_id);
    const { rows: sendRows } = await this.deps.pool.query<{ checkpoint_id: string; sends: [string, string][] }>(this.deps.statements.selectPendingSends, [first.row.thread_id, parents]);
    for (const sendRow of sendRows) {
      const sends = await Promise.all(sendRow.sends.map(([type, body]) => this.deps.serde.loadsTyped(...decompressRow(type, Buffer.from(body, "base64")))));
      for (const { row, index } of legacy) if (row.parent_checkpoint_id === sendRow.checkpoint_id) found.set(index, sends);
    }
    return found;
  }

  private applyPendingSends(checkpoint: Checkpoint, sends: unknown[]): void {
    checkpoint.channel_values[TASKS] = sends;
    const versions = Object.values(checkpoint.channel_versions);
    checkpoint.channel_versions[TASKS] = versions.length > 0 ? maxChannelVersion(...versions) : this.deps.nextVersion();
  }
}

function prefetchedMessages(rows: CheckpointRow[]): PrefetchedMessages {
  const prefetched: PrefetchedMessages = new Map();
  for (const row of rows) for (const [ref, type, body] of row.messages ?? []) prefetched.set(messageKey(row.thread_id, ref), { type, blob: Buffer.from(body, "base64") });
  return prefetched;
}

function slotsOf(row: CheckpointRow, index: number): Slot[] {
  const slots: Slot[] = [];
  for (const [channel, type, body] of row.channel_values ?? []) {
    // PostgresSaver writes "empty" rows for channels without a value; reading skips them (we do not write them).
    if (type === "empty") continue;
    slots.push({ row: index, kind: "blob", key: channel, stored: { threadId: row.thread_id, type, bytes: Buffer.from(body ?? "", "base64") } });
  }
  for (const [taskId, channel, type, body] of row.pending_writes ?? []) {
    slots.push({ row: index, kind: "write", key: [taskId, channel], stored: { threadId: row.thread_id, type, bytes: Buffer.from(body, "base64") } });
  }
  return slots;
}
