import type { BaseMessage } from "@langchain/core/messages";

/** Marker of one message in a value template: `{ [MESSAGE_MARKER]: index }`. */
const MESSAGE_MARKER = "__threadline_message__";
/** Marker of a list made only of messages: `{ [LIST_MARKER]: [first index, count] }`. */
const LIST_MARKER = "__threadline_messages__";
/**
 * How deep the walk looks for messages: the value itself, its elements or properties, and theirs. That covers a
 * messages list (`[m, …]`), a write of one message, and a graph input (`{ messages: [m, …] }`); deeper messages are
 * stored inline, exactly as PostgresSaver stores everything.
 */
const MAX_DEPTH = 2;

/** How `extractMessages` chooses. */
export interface ExtractOptions {
  /** Messages to leave inside the value (stored with it) rather than as rows of their own. */
  keepInline?: (message: BaseMessage) => boolean;
}

/**
 * Messages a node writes that never reach a state list as the same object, so a row of their own would only be
 * referenced once: chunks (LangGraph's reducer turns an AIMessageChunk into a new AIMessage) and RemoveMessages
 * (consumed by the reducer). Kept inline in pending writes, they go with those writes when retention prunes them.
 */
export function isWriteOnlyMessage(message: BaseMessage): boolean {
  return message.getType() === "remove" || typeof (message as unknown as { concat?: unknown }).concat === "function";
}

/** A value split into the messages it holds (in order) and a template with markers in their place. */
export interface ExtractedMessages {
  /** `undefined` when the value is itself a non-empty list of messages (the common case: no template stored). */
  template: unknown;
  messages: BaseMessage[];
}

/**
 * Take the messages out of a channel value or pending write, or return `undefined` when it holds none (or holds
 * something that looks like one of our markers, which could not be told apart on reading) — such values are
 * stored exactly as PostgresSaver stores them.
 */
export function extractMessages(value: unknown, options: ExtractOptions = {}): ExtractedMessages | undefined {
  const storable = options.keepInline ? (item: unknown) => isStorableMessage(item) && !options.keepInline?.(item) : isStorableMessage;
  if (isMessageList(value, storable)) return { template: undefined, messages: [...value] };
  const messages: BaseMessage[] = [];
  const template = replaceMessages(value, { messages, storable }, 0);
  return template === CONFLICT || messages.length === 0 ? undefined : { template, messages };
}

/** Put messages back into a template made by `extractMessages` (`undefined` template: the list itself). */
export function restoreMessages(template: unknown, messages: readonly unknown[]): unknown {
  return template === undefined ? [...messages] : restore(template, messages, 0);
}

const CONFLICT = Symbol("conflict");

function replaceMessages(value: unknown, scope: { messages: BaseMessage[]; storable: (item: unknown) => boolean }, depth: number): unknown {
  const { messages, storable } = scope;
  if (storable(value)) return { [MESSAGE_MARKER]: messages.push(value as BaseMessage) - 1 };
  if (depth > 0 && isMessageList(value, storable)) {
    const first = messages.length;
    messages.push(...value);
    return { [LIST_MARKER]: [first, value.length] };
  }
  if (isPlainObject(value) && (MESSAGE_MARKER in value || LIST_MARKER in value)) return CONFLICT;
  if (depth >= MAX_DEPTH) return value;
  if (Array.isArray(value)) {
    const items: unknown[] = [];
    for (const item of value) {
      const replaced = replaceMessages(item, scope, depth + 1);
      if (replaced === CONFLICT) return CONFLICT;
      items.push(replaced);
    }
    return items;
  }
  if (!isPlainObject(value)) return value;
  const copy: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    const replaced = replaceMessages(item, scope, depth + 1);
    if (replaced === CONFLICT) return CONFLICT;
    copy[key] = replaced;
  }
  return copy;
}

function restore(value: unknown, messages: readonly unknown[], depth: number): unknown {
  if (isPlainObject(value)) {
    const marker = markerOf(value);
    if (marker) return marker.list ? messages.slice(marker.first, marker.first + marker.count) : messages[marker.first];
    if (depth >= MAX_DEPTH) return value;
    const copy: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) copy[key] = restore(item, messages, depth + 1);
    return copy;
  }
  if (Array.isArray(value) && depth < MAX_DEPTH) return value.map((item) => restore(item, messages, depth + 1));
  return value;
}

function markerOf(value: Record<string, unknown>): { list: boolean; first: number; count: number } | undefined {
  const keys = Object.keys(value);
  if (keys.length !== 1) return undefined;
  const single = value[MESSAGE_MARKER];
  if (typeof single === "number") return { list: false, first: single, count: 1 };
  const list = value[LIST_MARKER];
  if (Array.isArray(list) && typeof list[0] === "number" && typeof list[1] === "number") return { list: true, first: list[0], count: list[1] };
  return undefined;
}

function isMessageList(value: unknown, storable: (item: unknown) => boolean): value is BaseMessage[] {
  return Array.isArray(value) && value.length > 0 && value.every((item) => storable(item));
}

/**
 * A LangChain message that serialises as a constructor record: stored alone, it reads back exactly as it would
 * inside the list (each record is revived on its own either way).
 */
function isStorableMessage(value: unknown): value is BaseMessage {
  const candidate = value as { _getType?: unknown; lc_serializable?: unknown } | null | undefined;
  return typeof candidate?._getType === "function" && candidate.lc_serializable === true;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}
