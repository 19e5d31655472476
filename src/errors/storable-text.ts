import { AppError } from "./app-error.js";

/** Nesting followed at most; deeper input is refused by the schemas anyway, and a walk must stay bounded. */
const MAX_DEPTH = 64;

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
  const path = findUnstorableText(value);
  if (path === undefined) return;
  throw new AppError("invalid_request", `${subject} holds a NUL character or an unpaired UTF-16 surrogate at ${path}; such text cannot be stored`, { details: { path } });
}

function isStorable(text: string): boolean {
  return !text.includes("\u0000") && text.isWellFormed();
}
