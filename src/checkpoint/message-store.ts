import type { BaseMessage } from "@langchain/core/messages";
import type { SerializerProtocol } from "@langchain/langgraph-checkpoint";
import type pg from "pg";
import type { Queryable } from "../db/database.js";
import type { MessageRefCounters } from "./message-ref-counters.js";
import { compressRow, decompressRow } from "./message-compression.js";
import { reviveMessage } from "./message-reviver.js";
import { type ExtractOptions, extractMessages, type ExtractedMessages, restoreMessages } from "./message-values.js";
import { fromRanges, isRangeList, toRanges } from "./ref-ranges.js";
import type { SaverStatements } from "./saver-sql.js";
import { fingerprintOf, type MessageRow, type StoredMessageIndex } from "./stored-message-index.js";

import { MESSAGE_REFS_TYPE } from "./message-refs-type.js";

export { MESSAGE_REFS_TYPE };

/** A value ready to be written: the serializer's type and bytes (`null` bytes for nothing stored). */
export type EncodedValue = [type: string, bytes: Buffer];

/** The message rows a write adds, as the `unnest` arrays of the statements. */
export interface NewMessageRows {
  refs: number[];
  types: string[];
  blobs: Buffer[];
}

/** Values encoded for one thread, the message rows they need, and what to remember once they committed. */
export interface EncodedBatch {
  values: EncodedValue[];
  rows: NewMessageRows;
}

/** A value serialised without its messages: the serializer's output, or a template (undefined: the list). */
type SerializedValue = { kind: "plain"; type: string; bytes: Uint8Array } | { kind: "refs"; template: Uint8Array | undefined };

/** How a batch gets the ref of one of its messages. */
type MessageSlot =
  | { kind: "stored"; ref: number }
  /** Another write in flight stores it: wait for that write, and insert the row ourselves if it fails. */
  | { kind: "waiting"; settled: Promise<number | undefined>; row: Promise<MessageRow> }
  /** This batch stores it. */
  | { kind: "fresh"; row: Promise<MessageRow>; settle: (ref: number | undefined) => void };

/** What a batch was prepared from. */
interface PreparedParts {
  threadId: string;
  slots: Map<BaseMessage, MessageSlot>;
  extracted: (ExtractedMessages | undefined)[];
  values: Promise<SerializedValue[]>;
  deps: MessageStoreDeps;
  loadMaxRef: () => Promise<number>;
}

/**
 * Values serialised and waiting for refs. `encode` resolves refs (waiting for writes in flight, reserving new
 * ones — again after a collision) and builds the rows; then exactly one of `committed` or `abandon` must be
 * called, because later writes of the same messages wait for it.
 */
export class PreparedBatch {
  /** Refs of the messages in the last `encode`. */
  private readonly refs = new Map<BaseMessage, number>();
  /** What this batch inserts, decided once (after waiting for writes in flight). */
  private inserts: [BaseMessage, Promise<MessageRow>][] | undefined;

  constructor(private readonly parts: PreparedParts) {}

  /** The thread the batch writes to. */
  get threadId(): string {
    return this.parts.threadId;
  }

  /** Reserve refs for the messages this batch inserts and build what to write. */
  async encode(): Promise<EncodedBatch> {
    const { threadId, slots, extracted, deps } = this.parts;
    const inserts = await this.messagesToInsert();
    const first = inserts.length > 0 ? await deps.counters.reserve(threadId, inserts.length, this.parts.loadMaxRef) : 0;
    const rows: NewMessageRows = { refs: [], types: [], blobs: [] };
    for (const [offset, [message, row]] of inserts.entries()) {
      const [type, bytes] = await row;
      this.refs.set(message, first + offset);
      rows.refs.push(first + offset);
      rows.types.push(type);
      rows.blobs.push(Buffer.from(bytes));
    }
    for (const [message, slot] of slots) if (slot.kind === "stored") this.refs.set(message, slot.ref);
    const values = (await this.parts.values).map((value, position): EncodedValue => {
      // Other values (a running summary, a tool's output in a pending write) are compressed like message rows:
      // below Postgres's TOAST threshold nothing else would compress them, and every summary version is kept.
      if (value.kind === "plain") return compressRow(value.type, value.bytes);
      const messages = extracted[position]?.messages ?? [];
      const head = Buffer.from(`${JSON.stringify(toRanges(messages.map((message) => this.refs.get(message) ?? 0)))}\n`);
      return [MESSAGE_REFS_TYPE, value.template ? Buffer.concat([head, value.template]) : head];
    });
    return { values, rows };
  }

  /** The write committed: its messages are stored under the refs of the last `encode`. */
  committed(): void {
    const { threadId, deps } = this.parts;
    const generation = deps.counters.generation(threadId);
    for (const [message, slot] of this.parts.slots) {
      if (slot.kind === "fresh") slot.settle(this.refs.get(message));
      // A message whose first write failed, which this batch inserted instead.
      else if (slot.kind === "waiting") deps.index.remember(message, { threadId, generation, ref: this.refs.get(message) ?? 0 });
    }
  }

  /** The write was not made (deleted thread) or failed for good: writes waiting for its messages insert them. */
  abandon(): void {
    for (const slot of this.parts.slots.values()) if (slot.kind === "fresh") slot.settle(undefined);
  }

  /** Fresh messages, and messages whose first write failed; waits for writes in flight the first time. */
  private async messagesToInsert(): Promise<[BaseMessage, Promise<MessageRow>][]> {
    if (this.inserts) return this.inserts;
    const inserts: [BaseMessage, Promise<MessageRow>][] = [];
    for (const [message, slot] of this.parts.slots) {
      if (slot.kind === "fresh") inserts.push([message, slot.row]);
      if (slot.kind !== "waiting") continue;
      const ref = await slot.settled;
      if (ref === undefined) inserts.push([message, slot.row]);
      else this.parts.slots.set(message, { kind: "stored", ref });
    }
    this.inserts = inserts;
    return inserts;
  }
}

/** Mark a promise as handled (a caller that gives up early must not cause an unhandled rejection). */
export function handled<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
}

async function serializeValue(serde: SerializerProtocol, value: unknown, extracted: ExtractedMessages | undefined): Promise<SerializedValue> {
  if (!extracted) {
    const [type, bytes] = await serde.dumpsTyped(value);
    return { kind: "plain", type, bytes };
  }
  if (extracted.template === undefined) return { kind: "refs", template: undefined };
  const [type, template] = await serde.dumpsTyped(extracted.template);
  if (type !== "json") throw new Error(`ThreadlineSaver: unexpected serializer type ${type} for a value template`);
  return { kind: "refs", template };
}

/** One stored value to read: a blob or a pending write, of one thread. */
export interface StoredValue {
  threadId: string;
  type: string;
  bytes: Buffer;
}

/** Message rows already read, by `messageKey`. */
export type PrefetchedMessages = Map<string, { type: string; blob: Buffer }>;

/** What `MessageStore` needs. */
export interface MessageStoreDeps {
  pool: pg.Pool;
  statements: SaverStatements;
  serde: SerializerProtocol;
  index: StoredMessageIndex;
  counters: MessageRefCounters;
  /** Revive plain message records directly (only for the default JsonPlusSerializer, whose format it mirrors). */
  fastRevive: boolean;
}

/**
 * Stores the LangChain messages inside checkpoint values once per thread (`checkpoint_messages`) and writes the
 * values as references to them; reads them back into exactly the values that were written.
 */
export class MessageStore {
  constructor(private readonly deps: MessageStoreDeps) {}

  /**
   * Serialise values for `threadId`: messages stored before become refs, messages in flight wait for their write,
   * new ones are serialised here and inserted by this batch. Everything is serialised before the first await (as
   * PostgresSaver does), so the graph changing its objects afterwards cannot leak into what is stored.
   */
  prepare(threadId: string, values: readonly unknown[], options: ExtractOptions & { db?: Queryable } = {}): PreparedBatch {
    const db = options.db ?? this.deps.pool;
    const { index, counters, serde } = this.deps;
    const generation = counters.generation(threadId);
    const extracted = values.map((value) => extractMessages(value, options));
    const slots = new Map<BaseMessage, MessageSlot>();
    for (const message of extracted.flatMap((entry) => entry?.messages ?? [])) {
      if (slots.has(message)) continue;
      const known = index.lookup(message, threadId, generation);
      if (known.state === "stored") slots.set(message, { kind: "stored", ref: known.ref });
      else if (known.state === "in-flight") slots.set(message, { kind: "waiting", settled: known.settled, row: known.row });
      else slots.set(message, this.freshSlot(message, { threadId, generation }));
    }
    const serialized = handled(Promise.all(values.map((value, position) => serializeValue(serde, value, extracted[position]))));
    return new PreparedBatch({ threadId, slots, extracted, values: serialized, deps: this.deps, loadMaxRef: () => this.loadMaxRef(threadId, db) });
  }

  /**
   * Decode stored values (of any threads). The messages they refer to come from `prefetched` (read with the
   * checkpoint) or, for any missing, from one extra round trip for all of them.
   */
  async decode(stored: readonly StoredValue[], prefetched: PrefetchedMessages = new Map()): Promise<unknown[]> {
    const parsed = stored.map((value) => (value.type === MESSAGE_REFS_TYPE ? parsePayload(value.bytes) : undefined));
    const wanted = new Map<string, Set<number>>();
    stored.forEach((value, position) => {
      for (const ref of parsed[position]?.refs ?? []) {
        if (prefetched.has(messageKey(value.threadId, ref))) continue;
        const set = wanted.get(value.threadId) ?? new Set<number>();
        set.add(ref);
        wanted.set(value.threadId, set);
      }
    });
    const rows = wanted.size > 0 ? new Map([...prefetched, ...(await this.fetchMessages(wanted))]) : prefetched;
    const values: unknown[] = [];
    for (const [position, value] of stored.entries()) {
      const payload = parsed[position];
      values.push(payload ? await this.revive(value.threadId, payload, rows) : await this.deps.serde.loadsTyped(...decompressRow(value.type, value.bytes)));
    }
    return values;
  }

  private freshSlot(message: BaseMessage, at: { threadId: string; generation: number }): MessageSlot {
    // Serialised now (before the first await); compressed as a row of its own (see message-compression.ts).
    const serialized = this.deps.serde.dumpsTyped(message);
    const row = handled(serialized.then(([type, bytes]): MessageRow => compressRow(type, bytes)));
    let settle: (ref: number | undefined) => void = () => undefined;
    const settled = new Promise<number | undefined>((resolve) => (settle = resolve));
    this.deps.index.track(message, { ...at, fingerprint: fingerprintOf(message), row, settled });
    return { kind: "fresh", row, settle };
  }

  private async revive(threadId: string, payload: ParsedPayload, rows: PrefetchedMessages): Promise<unknown> {
    const { serde, index, counters } = this.deps;
    const generation = counters.generation(threadId);
    const messages: BaseMessage[] = [];
    for (const ref of payload.refs) {
      const row = rows.get(messageKey(threadId, ref));
      if (!row) throw new Error(`ThreadlineSaver: message ${ref} of thread ${threadId} is referenced by a checkpoint but not stored`);
      const [type, blob] = decompressRow(row.type, row.blob);
      const fast = type === "json" && this.deps.fastRevive ? reviveMessage(blob.toString("utf8")) : undefined;
      const message = fast ?? ((await serde.loadsTyped(type, blob)) as BaseMessage);
      if (typeof message === "object" && message !== null) index.remember(message, { threadId, generation, ref });
      messages.push(message);
    }
    const template: unknown = payload.template.length > 0 ? await serde.loadsTyped("json", payload.template) : undefined;
    return restoreMessages(template, messages);
  }

  /** The rows of the wanted refs of each thread, asked for as ranges. */
  private async fetchMessages(wanted: Map<string, Set<number>>): Promise<PrefetchedMessages> {
    const params: [string[], number[], number[]] = [[], [], []];
    for (const [threadId, refs] of wanted) {
      for (const [first, count] of toRanges([...refs].sort((left, right) => left - right))) {
        params[0].push(threadId);
        params[1].push(first);
        params[2].push(count);
      }
    }
    const { rows } = await this.deps.pool.query<{ thread_id: string; ref: number; type: string; blob: Buffer }>(this.deps.statements.selectMessages, params);
    const found = new Map<string, { type: string; blob: Buffer }>();
    for (const row of rows) {
      found.set(messageKey(row.thread_id, row.ref), { type: row.type, blob: row.blob });
      this.deps.counters.observe(row.thread_id, row.ref);
    }
    return found;
  }

  private async loadMaxRef(threadId: string, db: Queryable): Promise<number> {
    const { rows } = await db.query<{ max: number }>(this.deps.statements.selectMaxRef, [threadId]);
    return Number(rows[0]?.max ?? 0);
  }
}

interface ParsedPayload {
  refs: number[];
  template: Buffer;
}

function parsePayload(bytes: Buffer): ParsedPayload {
  const newline = bytes.indexOf(0x0a);
  const ranges: unknown = JSON.parse(bytes.subarray(0, newline < 0 ? bytes.length : newline).toString("utf8"));
  if (!isRangeList(ranges)) throw new Error("ThreadlineSaver: malformed message reference payload");
  return { refs: fromRanges(ranges), template: newline < 0 ? Buffer.alloc(0) : bytes.subarray(newline + 1) };
}

/** The key of a message row in `PrefetchedMessages`. */
export function messageKey(threadId: string, ref: number): string {
  return `${ref}\u0000${threadId}`;
}
