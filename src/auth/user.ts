import { findUnstorableText } from "../errors/storable-text.js";

/** The authenticated caller. Every read and write is scoped to `id`. */
export interface User {
  id: string;
}

/** The single user of `AUTH_MODE=none`. */
export const LOCAL_USER: User = { id: "local" };

/** The longest user id (a JWT's `sub`, an API key's `--user`): ids are stored on every row a user owns. */
export const MAX_USER_ID_LENGTH = 255;

/**
 * Why `id` cannot be a user id, or undefined when it can: blank (a key for "" or "  " answered 401 forever, or made a
 * whitespace account), with spaces around it (another account that shows as the trimmed one), longer than
 * `MAX_USER_ID_LENGTH`, or text Postgres cannot store — a NUL would fail every request, and ids differing only in
 * unpaired surrogates would all be stored as the same U+FFFD text: one account.
 */
export function userIdProblem(id: string): string | undefined {
  if (id.trim().length === 0) return "is blank";
  // " alice " would be a user of its own that logs and lists show as alice.
  if (id !== id.trim()) return "has spaces around it";
  if (id.length > MAX_USER_ID_LENGTH) return `is longer than ${MAX_USER_ID_LENGTH} characters`;
  if (findUnstorableText(id) !== undefined) return "holds a NUL character or an unpaired UTF-16 surrogate";
  return undefined;
}
