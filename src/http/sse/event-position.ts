import { AppError } from "../../errors/app-error.js";

/**
 * Where an SSE event sits in a stream derived from a thread's event log: the seq of the stored event it came
 * from, and its index among the SSE events that stored event produced. One stored event can produce several
 * SSE events (a completed reply is a `messages` chunk, an `updates` entry and new `values`), so the index lets
 * `Last-Event-ID` resume in the middle of such a group without a gap or a duplicate.
 */
export interface EventPosition {
  seq: number;
  index: number;
}

/** Before everything, including a run stream's `metadata` event (what `Last-Event-ID: -1` asks for). */
export const STREAM_START: EventPosition = { seq: -1, index: 0 };

/** The position of a run stream's `metadata` event: before every stored event (seqs start at 1). */
export const METADATA_POSITION: EventPosition = { seq: 0, index: 0 };

/** The SSE id of a position: the seq alone for the first event of a group, `seq.index` for the rest. */
export function formatEventId(position: EventPosition): string {
  return position.index === 0 ? String(position.seq) : `${position.seq}.${position.index}`;
}

/** Parse a `Last-Event-ID` header; undefined when absent, invalid_request when it is not one of our ids. */
export function parseEventId(raw: string | undefined): EventPosition | undefined {
  if (raw === undefined || raw.trim() === "") return undefined;
  const match = /^(-1|\d{1,15})(?:\.(\d{1,6}))?$/.exec(raw.trim());
  if (!match) throw new AppError("invalid_request", "Last-Event-ID must be an event id this server sent (e.g. 42 or 42.1), or -1");
  return { seq: Number(match[1]), index: Number(match[2] ?? 0) };
}

/** Whether `position` comes strictly after `cursor`. */
export function isAfter(position: EventPosition, cursor: EventPosition): boolean {
  return position.seq > cursor.seq || (position.seq === cursor.seq && position.index > cursor.index);
}
