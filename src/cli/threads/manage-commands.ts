import { InvalidArgumentError } from "commander";
import type { Session } from "../../sessions/session.js";
import type { SearchHit } from "../../transcript/transcript-search.js";
import type { ThreadsFlags } from "./threads-flags.js";
import { withThreadsBackend } from "./threads-backend.js";
import { terminalLine, titleText } from "../terminal-text.js";

/** `thread.list` pages hold at most this many sessions; longer lists are read page by page. */
const LIST_PAGE = 100;

/** Flags of `threadline threads list`. */
export interface ListFlags extends ThreadsFlags {
  limit: number;
  query?: string;
  json?: boolean;
}

/** Flags of `threadline threads search`. */
export interface SearchFlags extends ThreadsFlags {
  limit: number;
  thread?: string[];
  json?: boolean;
}

/** Flags of `threadline threads delete`. */
export interface DeleteFlags extends ThreadsFlags {
  json?: boolean;
}

/** A commander parser for a whole number from `min` to `max`. */
export function wholeNumber(min: number, max: number): (value: string) => number {
  return (value) => {
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed < min || parsed > max) throw new InvalidArgumentError(`expected a whole number from ${min} to ${max}`);
    return parsed;
  };
}

/** Print the user's sessions, newest activity first: one per line (id, title, status, last activity), or JSON. */
export async function runList(flags: ListFlags): Promise<void> {
  const sessions = await withThreadsBackend(flags, async (backend) => {
    const found: Session[] = [];
    let cursor: string | undefined;
    do {
      const page = await backend.list({ limit: Math.min(LIST_PAGE, flags.limit - found.length), cursor, query: flags.query });
      found.push(...page.sessions);
      cursor = page.next_cursor ?? undefined;
    } while (cursor && found.length < flags.limit);
    return found;
  });
  if (flags.json) {
    process.stdout.write(`${JSON.stringify(sessions)}\n`);
    return;
  }
  for (const session of sessions) {
    process.stdout.write(`${session.thread_id}\t${titleText(session.title)}\t${session.status}\t${session.last_activity_at}\n`);
  }
  if (sessions.length === 0) process.stderr.write(flags.query ? `no session's title contains "${flags.query}"\n` : "no sessions\n");
}

/** Print the best transcript matches for a query: thread, seq, role, time and snippet per line, or JSON. */
export async function runSearch(words: string[], flags: SearchFlags): Promise<void> {
  const query = words.join(" ");
  const hits = await withThreadsBackend(flags, (backend) => backend.search({ query, limit: flags.limit, threadIds: flags.thread }));
  if (flags.json) {
    process.stdout.write(`${JSON.stringify(hits)}\n`);
    return;
  }
  for (const hit of hits) process.stdout.write(`${hitLine(hit)}\n`);
  if (hits.length === 0) process.stderr.write(`nothing matches "${query}"\n`);
}

/**
 * Delete threads for good. Each id is tried even when an earlier one fails (not found, not the user's); the
 * command then fails, naming them, so a script knows which are gone.
 */
export async function runDelete(threadIds: string[], flags: DeleteFlags): Promise<void> {
  const failures: { thread_id: string; error: string }[] = [];
  const deleted: string[] = [];
  await withThreadsBackend(flags, async (backend) => {
    for (const threadId of threadIds) {
      try {
        await backend.delete(threadId);
        deleted.push(threadId);
        if (!flags.json) process.stdout.write(`deleted ${threadId}\n`);
      } catch (error) {
        failures.push({ thread_id: threadId, error: error instanceof Error ? error.message : String(error) });
      }
    }
  });
  if (flags.json) process.stdout.write(`${JSON.stringify({ deleted, failed: failures })}\n`);
  if (failures.length > 0) throw new Error(`not deleted: ${failures.map((failure) => `${failure.thread_id} (${failure.error})`).join(", ")}`);
}

function hitLine(hit: SearchHit): string {
  // One field each: a tab or newline in a title or snippet would split the row.
  return [hit.thread_id, hit.seq, hit.role, hit.created_at, titleText(hit.thread_title), terminalLine(hit.snippet || hit.content)].join("\t");
}
