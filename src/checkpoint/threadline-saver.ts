import type { RunnableConfig } from "@langchain/core/runnables";
import {
  type ChannelVersions,
  type Checkpoint,
  type CheckpointListOptions,
  type CheckpointMetadata,
  type CheckpointTuple,
  type PendingWrite,
  JsonPlusSerializer,
  type SerializerProtocol,
  isDeltaSnapshot,
  WRITES_IDX_MAP,
} from "@langchain/langgraph-checkpoint";
import { PostgresSaver } from "@langchain/langgraph-checkpoint-postgres";
import type pg from "pg";
import type { Queryable } from "../db/database.js";
import type { TombstoneRegistry } from "../db/tombstone-registry.js";
import type { Logger } from "../logger.js";
import { type CheckpointRow, CheckpointRowReader } from "./checkpoint-row-reader.js";
import { nextChannelVersion } from "./channel-version.js";
import { latestCheckpointRows } from "./latest-checkpoint-rows.js";
import { MessageRefCounters } from "./message-ref-counters.js";
import { isWriteOnlyMessage } from "./message-values.js";
import { type EncodedBatch, handled, MessageStore, type PreparedBatch } from "./message-store.js";
import { DELETION_LOCK_SQL, type SaverStatements, type SaverTables, saverStatements, saverTables } from "./saver-sql.js";
import { RecentCheckpoints, recentTuple } from "./recent-checkpoints.js";
import { StoredMessageIndex } from "./stored-message-index.js";
import { type LatestKnown, SAVER_LATEST_KNOWN_KEY, SAVER_PREFETCHED_KEY, SAVER_TRANSACTION_KEY, withRunId, writeGateOf } from "./saver-config-keys.js";

/** Options of the saver. */
export interface ThreadlineSaverOptions {
  /** PostgresSaver's schema option; our tables must live in the same schema. @default "public" */
  schema?: string;
  /** The serializer of values (PostgresSaver's default, JsonPlusSerializer, when unset). */
  serde?: SerializerProtocol;
  /**
   * Deleted threads (`ThreadTombstones`). When given, every write asks migration 009's
   * `threadline_checkpoint_write_allowed` in its own statement and writes nothing for a deleted thread (needs
   * `thread_tombstones` and that function in the database), and `deleteThreadForever` records the tombstone before
   * deleting (`deleteThread` keeps PostgresSaver's meaning: the thread may be
   * written again, e.g. a rollback of its first run).
   */
  tombstones?: TombstoneRegistry;
  /** Where dropped writes of deleted threads are noted (debug). */
  logger?: Logger;
  /**
   * Threads whose newest root checkpoint written here is kept in memory for the thread's next run
   * (`RecentCheckpoints`, `SAVER_LATEST_KNOWN_KEY`); 0 keeps none. @default 256
   */
  recentThreads?: number;
}

/** Attempts of a write whose message refs collided with another process's (see `MessageRefCounters`). */
const MAX_WRITE_ATTEMPTS = 5;

/**
 * LangGraph's PostgresSaver, with storage that grows with what was said instead of its square: every LangChain
 * message inside a checkpoint value or pending write (above all the `messages` channel) is stored once per thread
 * in `checkpoint_messages`, and the value itself as a short list of ranges of references. A step that appends
 * one message to a list of a thousand writes one message row and a blob of a few bytes; PostgresSaver rewrites the
 * thousand. Reads return exactly what PostgresSaver would. Tables, keys and every other channel are PostgresSaver's.
 *
 * Also: each write is one statement (no BEGIN/COMMIT round trips), "empty" blob rows are not written (reads treat
 * a missing and an empty blob alike), and channel versions carry a random fraction so that two branches of one
 * thread (replay or rollback from an older checkpoint) never share a blob key — PostgresSaver's integer versions
 * make the second branch read the first one's values.
 * @example const checkpointer = new ThreadlineSaver(pool); graph.checkpointer = checkpointer;
 */
export class ThreadlineSaver extends PostgresSaver {
  private readonly db: pg.Pool;
  private readonly statements: SaverStatements;
  private readonly tables: SaverTables;
  private readonly counters = new MessageRefCounters();
  private readonly messages: MessageStore;
  private readonly reader: CheckpointRowReader;
  private readonly tombstones: TombstoneRegistry | undefined;
  private readonly logger: Logger | undefined;
  private readonly recent: RecentCheckpoints;

  constructor(pool: pg.Pool, options: ThreadlineSaverOptions = {}) {
    const schema = options.schema ?? "public";
    super(pool, options.serde, { schema });
    this.db = pool;
    this.statements = saverStatements(schema, { gated: options.tombstones !== undefined });
    this.tables = saverTables(schema);
    this.recent = new RecentCheckpoints(options.recentThreads ?? DEFAULT_RECENT_THREADS);
    this.tombstones = options.tombstones;
    this.logger = options.logger;
    const fastRevive = options.serde === undefined || options.serde instanceof JsonPlusSerializer;
    this.messages = new MessageStore({ pool, statements: this.statements, serde: this.serde, index: new StoredMessageIndex(), counters: this.counters, fastRevive });
    this.reader = new CheckpointRowReader({ pool, statements: this.statements, serde: this.serde, messages: this.messages, nextVersion: () => this.getNextVersion(undefined) });
  }

  /** Versions `n.ffffffff`: the integer part counts steps as before; the random fraction keeps branches apart. */
  override getNextVersion(current: number | undefined): number {
    // Typed as numbers like PostgresSaver's; a string version (written by another saver) continues as a string.
    return nextChannelVersion(current) as number;
  }

  /** The checkpoint named by `config` (or the thread's latest), with its values and pending writes. */
  override async getTuple(config: RunnableConfig): Promise<CheckpointTuple | undefined> {
    const { thread_id: threadId, checkpoint_ns: namespace = "", checkpoint_id: checkpointId } = (config.configurable ?? {}) as Record<string, string | undefined>;
    const known = (config.configurable as Record<string, unknown> | undefined)?.[SAVER_LATEST_KNOWN_KEY] as LatestKnown | undefined;
    if (known && !known.consumed && !checkpointId && namespace === "" && threadId) {
      known.consumed = true;
      if (known.checkpointId === "") return undefined;
      const recent = this.recent.take(threadId, known.checkpointId);
      if (recent) return recentTuple({ threadId, namespace }, recent, (metadata) => this._loadMetadata(metadata));
    }
    const prefetched = (config.configurable as Record<string, unknown> | undefined)?.[SAVER_PREFETCHED_KEY] as { tuple: CheckpointTuple | undefined } | undefined;
    if (prefetched && !checkpointId && namespace === "") return prefetched.tuple;
    const where = checkpointId
      ? { sql: "WHERE thread_id = $1 AND checkpoint_ns = $2 AND checkpoint_id = $3", args: [threadId, namespace, checkpointId] }
      : { sql: "WHERE thread_id = $1 AND checkpoint_ns = $2 ORDER BY checkpoint_id DESC LIMIT 1", args: [threadId, namespace] };
    const { rows } = await queryableOf(config, this.db).query<CheckpointRow>(this.statements.selectCheckpointWithMessages + where.sql, where.args);
    const [tuple] = await this.reader.toTuples(rows, { loadMetadata: (metadata) => this._loadMetadata(metadata) });
    if (!tuple) return undefined;
    // PostgresSaver answers with the thread and namespace as asked, not as stored.
    tuple.config = { configurable: { thread_id: threadId, checkpoint_ns: namespace, checkpoint_id: tuple.checkpoint.id } };
    if (tuple.parentConfig) tuple.parentConfig = { configurable: { ...tuple.parentConfig.configurable, thread_id: threadId, checkpoint_ns: namespace } };
    return tuple;
  }

  /** The latest root checkpoint of each thread (as `getTuple` reads it), in one round trip; threads without one are absent. */
  async latestTuples(threadIds: readonly string[]): Promise<Map<string, CheckpointTuple>> {
    if (threadIds.length === 0) return new Map();
    const rows = await latestCheckpointRows(this.db, this.statements, threadIds);
    const tuples = await this.reader.toTuples(rows, { loadMetadata: (metadata) => this._loadMetadata(metadata) });
    return new Map(tuples.map((tuple) => [String(tuple.config.configurable?.thread_id), tuple]));
  }

  /** Checkpoints matching `config` and the options, newest first (PostgresSaver's filters and order). */
  override async *list(config: RunnableConfig, options?: CheckpointListOptions): AsyncGenerator<CheckpointTuple> {
    const { filter, before, limit } = options ?? {};
    const [where, args] = this._searchWhere(config, filter, before);
    let query = `${this.statements.selectCheckpoints}${where} ORDER BY checkpoint_id DESC`;
    if (limit !== undefined) query += ` LIMIT ${Number.parseInt(String(limit), 10)}`;
    const { rows } = await this.db.query<CheckpointRow>(query, args);
    yield* await this.reader.toTuples(rows, { loadMetadata: (metadata) => this._loadMetadata(metadata) });
  }

  /** Save a checkpoint: new message rows, the blobs of changed channels, and the checkpoint, in one statement. */
  // The signature is BaseCheckpointSaver's.
  // eslint-disable-next-line max-params
  override async put(config: RunnableConfig, checkpoint: Checkpoint, metadata: CheckpointMetadata, newVersions: ChannelVersions): Promise<RunnableConfig> {
    if (config.configurable === undefined) throw new Error('Missing "configurable" field in "config" param');
    const { thread_id: threadId, checkpoint_ns: namespace = "", checkpoint_id: parentId } = config.configurable as Record<string, string | undefined>;
    const channels = Object.keys(newVersions).filter((channel) => channel in checkpoint.channel_values);
    const db = queryableOf(config, this.db);
    // Serialised before the first await, like PostgresSaver: the graph may go on changing its objects.
    const prepared = this.messages.prepare(threadId ?? "", channels.map((channel) => checkpoint.channel_values[channel]), { db });
    const serializedCheckpoint = this._dumpCheckpoint(checkpoint);
    const metadataDump = handled(this._dumpMetadata(withRunId(metadata, config)) as Promise<unknown>);
    // A missing thread id reaches Postgres as NULL and fails there, as with PostgresSaver.
    const written = await this.store(prepared, { db, gate: writeGateOf(config) }, async (batch) => [
      this.statements.insertCheckpoint,
      [
        threadId,
        namespace,
        checkpoint.id,
        parentId,
        serializedCheckpoint,
        await metadataDump,
        ...messageParams(batch.rows),
        channels,
        channels.map((channel) => String(newVersions[channel])),
        batch.values.map(([type]) => type),
        batch.values.map(([, bytes]) => bytes),
      ],
    ]);
    // Only a write of its own: a caller's transaction may still roll back.
    if (written && threadId && namespace === "" && db === this.db && !Object.values(checkpoint.channel_values).some(isDeltaSnapshot)) {
      this.recent.remember(threadId, { id: checkpoint.id, stored: serializedCheckpoint, values: checkpoint.channel_values, storedMetadata: await metadataDump, parentId });
    }
    return { configurable: { thread_id: threadId, checkpoint_ns: namespace, checkpoint_id: checkpoint.id } };
  }

  /** Save a task's pending writes (PostgresSaver's semantics: special channels upsert, others insert once). */
  override async putWrites(config: RunnableConfig, writes: PendingWrite[], taskId: string): Promise<void> {
    const { thread_id: threadId, checkpoint_ns: namespace = "", checkpoint_id: checkpointId } = (config.configurable ?? {}) as Record<string, string | undefined>;
    const upsert = writes.every(([channel]) => channel in WRITES_IDX_MAP);
    const indexed = uniqueByIndex(
      writes.map(([channel, value], position) => ({ idx: WRITES_IDX_MAP[channel] ?? position, channel, value })),
      upsert ? "last" : "first",
    );
    const db = queryableOf(config, this.db);
    // A remembered checkpoint would no longer show everything pending on it.
    if (threadId) this.recent.writesOn(threadId, checkpointId);
    const prepared = this.messages.prepare(threadId ?? "", indexed.map((write) => write.value), { keepInline: isWriteOnlyMessage, db });
    await this.store(prepared, { db, gate: writeGateOf(config) }, (batch) =>
      Promise.resolve([
        upsert ? this.statements.upsertWrites : this.statements.insertWrites,
        [
          threadId,
          namespace,
          checkpointId,
          taskId,
          indexed.map((write) => write.idx),
          indexed.map((write) => write.channel),
          ...messageParams(batch.rows),
          batch.values.map(([type]) => type),
          batch.values.map(([, bytes]) => bytes),
        ],
      ]),
    );
  }

  /**
   * Undo what was checkpointed on a thread after `checkpointId` (a run cancelled with `action: "rollback"`, which
   * claimed the thread with that checkpoint as its newest and held it since): those checkpoints, of every namespace,
   * and their pending writes go, so the thread's latest checkpoint is again the one the run started from. Blobs and
   * message rows stay (older checkpoints may share them; retention collects the rest). When that root checkpoint is
   * gone (pruned meanwhile), nothing is deleted and 0 is returned: without it, undoing would leave the thread with
   * no state at all, so the run's checkpoints stay instead.
   */
  async deleteCheckpointsAfter(threadId: string, checkpointId: string): Promise<number> {
    const t = this.tables;
    // Each DELETE checks the anchor itself: one statement, one snapshot, so a concurrent prune cannot slip between.
    const anchored = `EXISTS (SELECT 1 FROM ${t.checkpoints} a WHERE a.thread_id = $1 AND a.checkpoint_ns = '' AND a.checkpoint_id = $2)`;
    const { rowCount } = await this.db.query(
      `WITH gone AS (
         DELETE FROM ${t.checkpoints} WHERE thread_id = $1 AND checkpoint_id > $2 AND ${anchored} RETURNING checkpoint_ns, checkpoint_id
       ), writes AS (
         DELETE FROM ${t.writes} w WHERE w.thread_id = $1 AND w.checkpoint_id > $2 AND ${anchored}
       )
       SELECT 1 FROM gone`,
      [threadId, checkpointId],
    );
    this.forgetThread(threadId);
    return rowCount ?? 0;
  }

  /**
   * Merge `patch` into the metadata of a root checkpoint of the thread — `checkpointId`, or the newest — in place (the
   * SDK's `threads.patchState`); the id patched, or undefined when there is no such checkpoint. The patch is encoded
   * as `put` encodes metadata. The checkpoint this instance remembers for the thread's next run (`RecentCheckpoints`)
   * keeps its old metadata: a run reads only the keys LangGraph and retention write (`step`, `source`, `parents`,
   * `writes`, `run_id`), which the HTTP route refuses to patch, and no checkpoint inherits its parent's metadata.
   */
  async patchMetadata(threadId: string, patch: Record<string, unknown>, options: { checkpointId?: string } = {}): Promise<string | undefined> {
    const encoded: unknown = await this._dumpMetadata(patch as CheckpointMetadata);
    const { rows } = await this.db.query<{ checkpoint_id: string }>(
      `UPDATE ${this.tables.checkpoints} SET metadata = metadata || $3::jsonb
        WHERE thread_id = $1 AND checkpoint_ns = '' AND checkpoint_id = coalesce($2::text,
              (SELECT max(checkpoint_id) FROM ${this.tables.checkpoints} WHERE thread_id = $1 AND checkpoint_ns = ''))
        RETURNING checkpoint_id`,
      [threadId, options.checkpointId ?? null, JSON.stringify(encoded)],
    );
    return rows[0]?.checkpoint_id;
  }

  /** Forget what this process remembers of a thread's stored messages (after a rolled-back transaction). */
  forgetThread(threadId: string): void {
    this.counters.reset(threadId);
    this.recent.forget(threadId);
  }

  /** Delete the thread for good: record the tombstone (committed), then remove everything stored for it. */
  async deleteThreadForever(threadId: string, reason = "deleted"): Promise<void> {
    await this.tombstones?.markDeleted([threadId], reason);
    await this.deleteThread(threadId);
  }

  /** Remove the thread's checkpoints, blobs, writes, stored messages and retention mark, in one transaction. */
  override async deleteThread(threadId: string): Promise<void> {
    const client = await this.db.connect();
    try {
      await client.query("BEGIN");
      // Gated writes already past their tombstone check finish first; later ones see the tombstone (saver-sql.ts).
      if (this.tombstones) await client.query(DELETION_LOCK_SQL, [threadId]);
      for (const statement of this.statements.deleteThread) await client.query(statement, [threadId]);
      await client.query("COMMIT");
    } catch (error) {
      await client.query("ROLLBACK");
      throw error;
    } finally {
      client.release();
      this.counters.reset(threadId);
      this.recent.forget(threadId);
    }
  }

  /**
   * Write a prepared batch with the statement `build` makes of it. When its message refs collided with another
   * process's, the counter is re-read and the write retried. The batch is settled whatever happens: later writes
   * of the same messages wait for it.
   *
   * With tombstones, the statement itself refuses a deleted thread (migration 009's gate: a shared lock on the
   * thread, then the tombstone, in a fresh snapshot; a deletion takes the lock exclusively), so a write leaves
   * nothing behind at no extra round trip. A refused write is dropped; inside a caller's transaction
   * (`SAVER_TRANSACTION_KEY`) it fails instead, and the transaction with it. `target.gate`: the run's write gate
   * (`SAVER_WRITE_GATE_KEY`), waited for before anything is written.
   */
  private async store(prepared: PreparedBatch, target: { db: Queryable; gate?: Promise<void> }, build: (batch: EncodedBatch) => Promise<[string, unknown[]]>): Promise<boolean> {
    const { threadId } = prepared;
    const { db, gate } = target;
    const inTransaction = db !== this.db;
    let written = false;
    let refused = false;
    try {
      // A run started before its submission committed stores nothing until then (and nothing if it rolls back).
      if (gate) await gate;
      for (let attempt = 1; !written && !refused; attempt += 1) {
        try {
          const [statement, params] = await build(await prepared.encode());
          const { rows } = await db.query<{ open: boolean }>(statement, params);
          refused = rows[0]?.open === false;
          written = !refused;
        } catch (error) {
          // A failed statement aborts the caller's transaction: no retry inside it.
          if (inTransaction || attempt >= MAX_WRITE_ATTEMPTS || !isRefCollision(error)) throw error;
          this.counters.forget(threadId);
        }
      }
    } finally {
      if (written) prepared.committed();
      else prepared.abandon();
    }
    if (!refused) return true;
    this.counters.reset(threadId);
    this.recent.forget(threadId);
    this.logger?.debug({ threadId }, "dropped a checkpoint write for a deleted thread");
    if (inTransaction) throw new Error(`ThreadlineSaver: thread ${threadId} was deleted`);
    return false;
  }
}

/** Threads remembered by default (`ThreadlineSaverOptions.recentThreads`). */
const DEFAULT_RECENT_THREADS = 256;

/** The caller's transaction client when the config carries one, else the pool. */
function queryableOf(config: RunnableConfig, pool: pg.Pool): Queryable {
  const client = (config.configurable as Record<string, unknown> | undefined)?.[SAVER_TRANSACTION_KEY];
  return isQueryable(client) ? client : pool;
}

function isQueryable(value: unknown): value is Queryable {
  return typeof value === "object" && value !== null && typeof (value as { query?: unknown }).query === "function";
}

function messageParams(rows: { refs: number[]; types: string[]; blobs: Buffer[] }): unknown[] {
  return [rows.refs, rows.types, rows.blobs];
}

/** One row per index, as PostgresSaver's statement-per-write loop leaves it (an upsert keeps the last). */
function uniqueByIndex<T extends { idx: number }>(writes: T[], keep: "first" | "last"): T[] {
  const byIndex = new Map<number, T>();
  for (const write of writes) if (keep === "last" || !byIndex.has(write.idx)) byIndex.set(write.idx, write);
  return [...byIndex.values()];
}

function isRefCollision(error: unknown): boolean {
  const pgError = error as { code?: unknown; constraint?: unknown };
  return pgError.code === "23505" && typeof pgError.constraint === "string" && pgError.constraint.startsWith("checkpoint_messages");
}
