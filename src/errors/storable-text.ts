import { AppError, formatJsonPath } from "./app-error.js";

/**
 * Nesting of client input accepted at most (`assertStorableText` refuses deeper input). Far beyond any message,
 * tool argument or metadata a client means to send; a few thousand levels would overflow the stack of the code
 * that later serialises it (an `internal` error instead of a refusal). As deep as a graph's `custom` chunks go.
 */
export const INPUT_MAX_DEPTH = 64;
const MAX_DEPTH = INPUT_MAX_DEPTH;

/**
 * Where in a parsed JSON value a string (or object key) holds text Postgres cannot store — a NUL character
 * (`text` and `jsonb` refuse it) or an unpaired UTF-16 surrogate (`jsonb` refuses its escape; `text` would
 * silently get U+FFFD instead of what was sent) — as a path like `params.input.messages[0].content`; undefined
 * when there is none.
 */
export function findUnstorableText(value: unknown, path = "", depth = 0): string | undefined {
  if (typeof value === "string") return isStorable(value) ? undefined : path || "(value)";
  if (value === null || typeof value !== "object" || depth > MAX_DEPTH) return undefined;
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) {
      const found = findUnstorableText(item, `${path}[${index}]`, depth + 1);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
    const keyPath = path ? `${path}.${key}` : key;
    if (!isStorable(key)) return keyPath;
    const found = findUnstorableText(item, keyPath, depth + 1);
    if (found !== undefined) return found;
  }
  return undefined;
}

/**
 * Refuse input holding text that cannot be stored (see `findUnstorableText`) with `invalid_request`, before
 * anything is written: one check where input enters (HTTP bodies, WebSocket frames, imported lines) instead of a
 * database error deep inside a write.
 * @example assertStorableText(request.body, "The request body");
 */
export function assertStorableText(value: unknown, subject: string): void {
  const steps = findTooDeep(value, 0);
  if (steps !== undefined) {
    const deep = formatJsonPath(steps) || "(value)";
    throw new AppError("invalid_request", `${subject} is nested deeper than ${INPUT_MAX_DEPTH} levels at ${deep}`, { details: { path: deep, max_depth: INPUT_MAX_DEPTH } });
  }
  const path = findUnstorableText(value);
  if (path === undefined) return;
  throw new AppError("invalid_request", `${subject} holds a NUL character or an unpaired UTF-16 surrogate at ${path}; such text cannot be stored`, { details: { path } });
}

/**
 * The steps to the first object or array nested deeper than `INPUT_MAX_DEPTH`, or undefined. Nothing is allocated
 * on the way down (every request body is walked): the path is built only for a refusal, as the walk unwinds.
 */
function findTooDeep(value: unknown, depth: number): (string | number)[] | undefined {
  if (value === null || typeof value !== "object") return undefined;
  if (depth >= INPUT_MAX_DEPTH) return [];
  if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index += 1) {
      const found = findTooDeep(value[index], depth + 1);
      if (found) return [index, ...found];
    }
    return undefined;
  }
  for (const key in value) {
    if (!Object.hasOwn(value, key)) continue;
    const found = findTooDeep((value as Record<string, unknown>)[key], depth + 1);
    if (found) return [key, ...found];
  }
  return undefined;
}

function isStorable(text: string): boolean {
  return !text.includes("\u0000") && text.isWellFormed();
}

/**
 * JSON for a `jsonb` parameter, with text Postgres cannot store (a NUL, an unpaired surrogate — in values or keys)
 * replaced by U+FFFD. For what the server itself writes from model and tool output, which no input check saw: one
 * stray character must not fail the write of a whole message. Input from clients is refused instead
 * (`assertStorableText`).
 */
export function storableJson(value: unknown): string {
  const json = JSON.stringify(value);
  // JSON.stringify escapes exactly those characters (\u0000, \ud800–\udfff alone): the common case is one pass.
  if (!UNSTORABLE_ESCAPE.test(json)) return json;
  return JSON.stringify(value, (_key, item: unknown) => storableItem(item));
}

const UNSTORABLE_ESCAPE = /\\u(?:0000|d[89a-f])/i;

function storableItem(item: unknown): unknown {
  if (typeof item === "string") return storableString(item);
  if (item === null || typeof item !== "object" || Array.isArray(item)) return item;
  const entries = Object.entries(item as Record<string, unknown>);
  if (entries.every(([key]) => isStorable(key))) return item;
  return Object.fromEntries(entries.map(([key, value]) => [storableString(key), value]));
}

function storableString(text: string): string {
  return isStorable(text) ? text : text.replaceAll("\u0000", "\uFFFD").toWellFormed();
}
