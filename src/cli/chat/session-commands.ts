import type { Session, SessionPage } from "../../sessions/session.js";
import type { SearchHit } from "../../transcript/transcript-search.js";
import { isMethodNotFound } from "./chat-connection.js";
import { counted } from "../count-words.js";
import type { SlashContext } from "./slash-commands.js";
import { terminalLine, titleText } from "../terminal-text.js";

/** How many search hits and checkpoints the terminal shows when not told otherwise. */
const DEFAULT_SEARCH_HITS = 10;
const DEFAULT_CHECKPOINTS = 10;
const SNIPPET_LIMIT = 160;

/** One row of `state.listCheckpoints`, as much of it as the terminal prints. */
interface CheckpointRow {
  checkpoint_id: string;
  created_at: string;
  step: number;
  source: string;
  message_count: number;
  last_message?: { role: string; text: string; tool_calls?: string[] } | null;
}

/** `/search <words>`: the best matches across every session of the user (English, Chinese or mixed). */
export async function searchSessions(query: string, context: SlashContext): Promise<void> {
  const { stdout, stderr, style } = context.output;
  if (!query.trim()) {
    stderr.write("usage: /search <words> — find messages in all your sessions\n");
    return;
  }
  const found = await callOrUnsupported<{ results: SearchHit[] }>(context, "/search", "messages.search", { query: query.trim(), limit: DEFAULT_SEARCH_HITS });
  if (!found) return;
  if (found.results.length === 0) {
    stdout.write(`nothing matches "${query.trim()}"\n`);
    return;
  }
  for (const hit of found.results) {
    const marker = hit.thread_id === context.session.threadId ? "*" : " ";
    const who = hit.role === "user" ? "you" : hit.role;
    const when = new Date(hit.created_at).toLocaleString();
    stdout.write(`${marker} ${style.bold(hit.thread_id.slice(0, 8))}  ${hit.thread_title ? terminalLine(hit.thread_title) : style.dim("(untitled)")}  ${style.dim(`${who} · ${when}`)}\n`);
    stdout.write(`    ${oneLine(hit.snippet || hit.content, SNIPPET_LIMIT)}\n`);
  }
  stderr.write(style.dim("/switch <id> continues one of them\n"));
}

/** `/rename <title>`: retitle the current session (every window sees the new title). */
export async function renameSession(title: string, context: SlashContext): Promise<void> {
  const { stderr } = context.output;
  const threadId = context.session.threadId;
  if (!title.trim() || !threadId) {
    stderr.write("usage: /rename <title> — retitle this session\n");
    return;
  }
  const renamed = await context.connection.call<Session>("thread.update", { thread_id: threadId, title: title.trim() });
  stderr.write(`renamed to ${titleText(renamed.title)}\n`);
}

/**
 * `/delete <id|title>`: delete a session and its whole history for good. It must be named exactly (whole title, id,
 * or 8+ characters of the id), the current one too: typing its name is the confirmation. Deleting the current
 * session carries on in the window's own session.
 */
export async function deleteSession(query: string, context: SlashContext): Promise<void> {
  const { stderr } = context.output;
  if (!query.trim()) {
    stderr.write("usage: /delete <id|title> — deletes that session and its history for good: its whole title, its id or 8+ characters of the id (the current one too)\n");
    return;
  }
  const target = await pickSession(query, context, findSessionToDelete);
  if (!target) return;
  const current = target.thread_id === context.session.threadId;
  await context.session.deleteThread(target.thread_id);
  stderr.write(`deleted ${titleText(target.title)} (${target.thread_id})\n`);
  if (!current) return;
  const opened = await context.session.open({ window_id: context.options.window, ...(context.options.assistant ? { assistant_id: context.options.assistant } : {}) });
  stderr.write(context.output.style.dim(`continuing in session ${titleText(opened.title)} · ${opened.thread_id}\n`));
}

/** `/checkpoints [n]`: the current session's newest checkpoints, the ids `/fork` takes. */
export async function listCheckpoints(argument: string, context: SlashContext): Promise<void> {
  const { stdout, stderr, style } = context.output;
  const count = argument.trim() === "" ? DEFAULT_CHECKPOINTS : Number(argument.trim());
  const threadId = context.session.threadId;
  if (!Number.isInteger(count) || count < 1 || count > 100 || !threadId) {
    stderr.write("usage: /checkpoints [n] — the newest n checkpoints of this session (1 to 100, default 10)\n");
    return;
  }
  const page = await callOrUnsupported<{ checkpoints: CheckpointRow[] }>(context, "/checkpoints", "state.listCheckpoints", { thread_id: threadId, limit: count });
  if (!page) return;
  if (page.checkpoints.length === 0) stdout.write("no checkpoints yet\n");
  for (const checkpoint of page.checkpoints) {
    const last = checkpoint.last_message;
    const said = last ? `${last.role}: ${last.text ? oneLine(last.text, 60) : (last.tool_calls ?? []).join(", ")}` : "";
    const when = new Date(checkpoint.created_at).toLocaleString();
    stdout.write(`${checkpoint.checkpoint_id}  ${style.dim(`step ${checkpoint.step} · ${counted(checkpoint.message_count, "message")} · ${when}`)}  ${said}\n`);
  }
  stderr.write(style.dim("/fork <checkpoint> branches a new session there\n"));
}

/** Pick a session by exact id, id prefix, exact title or a title fragment that matches only one. */
export function findSession(sessions: Session[], query: string): Session | Session[] | undefined {
  const needle = query.trim().toLowerCase();
  if (!needle) return undefined;
  const exact = sessions.find((session) => session.thread_id === needle || session.title?.toLowerCase() === needle);
  if (exact) return exact;
  const candidates = sessions.filter((session) => session.thread_id.startsWith(needle) || session.title?.toLowerCase().includes(needle));
  if (candidates.length === 1) return candidates[0];
  return candidates.length > 1 ? candidates : undefined;
}

/** The shortest id prefix `/delete` takes: a few characters match some session by chance. */
const DELETE_PREFIX_LENGTH = 8;

/**
 * The session `/delete` names: its whole id, 8+ characters of it, or its whole title, and no other session so named.
 * Deleting is for good, so anything fuzzier (a title fragment, a short prefix) only lists what it matches.
 */
export function findSessionToDelete(sessions: Session[], query: string): Session | Session[] | undefined {
  const needle = query.trim().toLowerCase();
  if (!needle) return undefined;
  const named = sessions.filter(
    (session) => session.thread_id === needle || (needle.length >= DELETE_PREFIX_LENGTH && session.thread_id.startsWith(needle)) || session.title?.trim().toLowerCase() === needle,
  );
  if (named.length > 0) return named.length === 1 ? named[0] : named;
  const loose = findSession(sessions, needle);
  return loose === undefined || Array.isArray(loose) ? loose : [loose];
}

/**
 * The one session `query` names among the user's newest 100 (by `find`, `findSession` unless told), or undefined
 * after saying why not.
 */
export async function pickSession(query: string, context: SlashContext, find = findSession): Promise<Session | undefined> {
  const { stderr } = context.output;
  const page = await context.connection.call<SessionPage>("thread.list", { limit: 100 });
  const found = find(page.sessions, query);
  if (!found) {
    stderr.write(`no session matches "${query}"\n`);
    return undefined;
  }
  if (Array.isArray(found)) {
    const how = find === findSessionToDelete ? "name it by its whole title, its id or 8+ characters of the id (nothing was deleted)" : "be more specific";
    stderr.write(`"${query}" matches ${counted(found.length, "session")}; ${how}:\n`);
    for (const session of found) stderr.write(`  ${session.thread_id.slice(0, 8)}  ${titleText(session.title)}\n`);
    return undefined;
  }
  return found;
}

/** A method an older server may not have: its absence is said, not thrown. */
async function callOrUnsupported<T>(context: SlashContext, command: string, method: string, params: Record<string, unknown>): Promise<T | undefined> {
  try {
    return await context.connection.call<T>(method, params);
  } catch (error) {
    if (!isMethodNotFound(error)) throw error;
    context.output.stderr.write(`${command} is not supported by this server\n`);
    return undefined;
  }
}

function oneLine(text: string, limit: number): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return terminalLine(flat.length > limit ? `${flat.slice(0, limit - 1)}…` : flat);
}
