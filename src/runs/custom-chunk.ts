import { storableJson } from "../errors/storable-text.js";

/**
 * Largest custom stream chunk kept as a `custom` event: 100,000 bytes of JSON (UTF-8), the default size of the
 * largest tool result (`TOOL_OUTPUT_MAX_CHARS`). Every chunk is a row of the event log, replayed to every window
 * and every joining stream: progress reports are small, and a graph with bulk data to hand over returns it in its
 * state instead.
 */
export const CUSTOM_CHUNK_MAX_BYTES = 100_000;

/**
 * Deepest nesting of a kept chunk. Postgres refuses deeply nested `jsonb` (its stack depth limit: 5,000 levels
 * pass and 20,000 fail with the default `max_stack_depth`), and a refused insert would lose the other events of
 * its batch; 64 is far beyond any progress report.
 */
export const CUSTOM_CHUNK_MAX_DEPTH = 64;

/** Why a chunk was not kept. */
export type CustomChunkRefusal = "unserialisable" | "too_large" | "too_deep";

/** A chunk as it will be stored (its JSON, parsed back), or why it is dropped. */
export type CustomChunkCheck = { kept: true; data: unknown } | { kept: false; reason: CustomChunkRefusal; bytes?: number };

/**
 * Check a graph's `custom` stream chunk before it becomes an event: it must serialise to JSON (no BigInt, no
 * cycle, not `undefined` or a function), fit `CUSTOM_CHUNK_MAX_BYTES` and `CUSTOM_CHUNK_MAX_DEPTH`. What is kept is
 * the chunk's JSON form, with text Postgres cannot store replaced by U+FFFD (as for model and tool output), so live
 * subscribers and replays see the same value.
 * @example const check = checkCustomChunk({ progress: 0.5 }); // { kept: true, data: { progress: 0.5 } }
 */
export function checkCustomChunk(chunk: unknown): CustomChunkCheck {
  const json = serialise(chunk);
  if (json === undefined) return { kept: false, reason: "unserialisable" };
  const bytes = Buffer.byteLength(json);
  if (bytes > CUSTOM_CHUNK_MAX_BYTES) return { kept: false, reason: "too_large", bytes };
  const data: unknown = JSON.parse(json);
  if (exceedsDepth(data, CUSTOM_CHUNK_MAX_DEPTH)) return { kept: false, reason: "too_deep", bytes };
  return { kept: true, data };
}

/** The chunk's storable JSON, or undefined: a BigInt or a cycle throws; undefined, a function, a symbol have none. */
function serialise(chunk: unknown): string | undefined {
  try {
    // JSON.stringify's typings say string, but it answers undefined for undefined, functions and symbols.
    const json: unknown = storableJson(chunk);
    return typeof json === "string" ? json : undefined;
  } catch {
    return undefined;
  }
}

function exceedsDepth(value: unknown, remaining: number): boolean {
  if (value === null || typeof value !== "object") return false;
  if (remaining === 0) return true;
  const items: unknown[] = Array.isArray(value) ? value : Object.values(value as Record<string, unknown>);
  return items.some((item) => exceedsDepth(item, remaining - 1));
}
