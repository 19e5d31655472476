import { isBlankSession } from "../../sessions/blank-session.js";
import type { SessionPage } from "../../sessions/session.js";
import { counted } from "../count-words.js";
import { type ChatConnection, isMethodNotFound } from "./chat-connection.js";
import type { ChatOptions } from "./chat-options.js";
import { type ChatOutput, type ChatSession, NOTHING_TO_REGENERATE } from "./chat-session.js";
import { deleteSession, listCheckpoints, pickSession, renameSession, searchSessions } from "./session-commands.js";
import { terminalLine, terminalText, titleText } from "../terminal-text.js";

/** What a slash command can use. */
export interface SlashContext {
  connection: ChatConnection;
  session: ChatSession;
  options: ChatOptions;
  output: ChatOutput;
}

/** The help text of the terminal client. */
export const HELP = `Type a message and press Enter. Commands:
  /sessions              list your sessions, newest first
  /switch <id|title>     continue another session (id, id prefix or title)
  /new                   start a fresh session
  /history [n]           show the last n messages (default 20)
  /search <words>        find messages in all your sessions (English or Chinese)
  /rename <title>        retitle this session
  /delete <id|title>     delete a session and its history for good: its whole title, id or 8+ characters of the id
  /checkpoints [n]       the newest n checkpoints of this session (the ids /fork takes)
  /continue              continue a reply paused at a breakpoint
  /retry                 generate the newest reply again (a new branch; the old one stays in /checkpoints)
  /fork <checkpoint>     branch a new session at a checkpoint
  /help                  this help
  /quit                  leave (so does Ctrl-D; Ctrl-C stops a reply, a second Ctrl-C leaves)
Any other /text is sent to the assistant as a message.
`;

/** What became of a line starting with `/`. */
export type SlashResult = "handled" | "quit" | "not-a-command" | "continue" | "retry";

/**
 * Run a `/command`. Unknown ones are `not-a-command` and go to the assistant as a message: graphs and models
 * may have slash commands of their own (the scripted test model's `/tool`, `/fail`).
 */
export async function runSlashCommand(line: string, context: SlashContext): Promise<SlashResult> {
  const [name = "", ...rest] = line.slice(1).trim().split(/\s+/);
  const argument = rest.join(" ");
  const { stderr } = context.output;
  switch (name) {
    case "quit":
    case "exit":
      return "quit";
    // The loop runs it as a turn (it streams, and may stop for an approval).
    case "continue":
      return "continue";
    case "retry":
      // Checked here so that nothing to generate again is a message, not a failed turn (the exit code).
      if (await context.session.regeneratePoint()) return "retry";
      stderr.write(`${NOTHING_TO_REGENERATE}\n`);
      return "handled";
    case "sessions":
      await listSessions(context);
      return "handled";
    case "switch":
      await switchSession(argument, context);
      return "handled";
    case "new": {
      const opened = await context.session.open(context.options.assistant ? { assistant_id: context.options.assistant } : {});
      stderr.write(`new session ${opened.thread_id}\n`);
      await printOpening(context);
      return "handled";
    }
    case "history": {
      const count = argument.trim() === "" ? 20 : Number(argument.trim());
      if (!Number.isInteger(count) || count < 1 || count > 200) {
        context.output.stderr.write("usage: /history [n] — n messages from 1 to 200 (default 20)\n");
        return "handled";
      }
      await printHistory(context, count);
      return "handled";
    }
    case "fork":
      await fork(argument, context);
      return "handled";
    case "search":
      await searchSessions(argument, context);
      return "handled";
    case "rename":
      await renameSession(argument, context);
      return "handled";
    case "delete":
      await deleteSession(argument, context);
      return "handled";
    case "checkpoints":
      await listCheckpoints(argument, context);
      return "handled";
    case "help":
    case "":
      stderr.write(HELP);
      return "handled";
    default:
      return "not-a-command";
  }
}

/** The user's sessions, newest activity first; blank ones (every web tab opens one) only when current. */
async function listSessions(context: SlashContext): Promise<void> {
  const page = await context.connection.call<SessionPage>("thread.list", { limit: 30 });
  const { stdout, style } = context.output;
  const shown = page.sessions.filter((session) => session.thread_id === context.session.threadId || !isBlankSession(session));
  if (shown.length === 0) stdout.write("no sessions yet\n");
  for (const session of shown) {
    const marker = session.thread_id === context.session.threadId ? "*" : " ";
    const when = new Date(session.last_activity_at).toLocaleString();
    stdout.write(`${marker} ${style.bold(session.thread_id.slice(0, 8))}  ${session.title ? terminalLine(session.title) : style.dim("(untitled)")}  ${style.dim(`${session.status} · ${when}`)}\n`);
  }
  const blank = page.sessions.length - shown.length;
  if (blank > 0) stdout.write(style.dim(`(${counted(blank, "blank session")} not shown: nothing was said in ${blank === 1 ? "it" : "them"})\n`));
}

async function switchSession(query: string, context: SlashContext): Promise<void> {
  const { stderr } = context.output;
  if (!query) {
    stderr.write("usage: /switch <id|title>\n");
    return;
  }
  const found = await pickSession(query, context);
  if (!found) return;
  const opened = await context.session.open({ thread_id: found.thread_id });
  stderr.write(`switched to ${titleText(opened.title)} (${opened.thread_id})\n`);
  await printHistory(context, 4);
}

/** How a tool result's status reads in the history, as the live line says it (`→ rejected: …`, `→ failed: …`). */
const TOOL_OUTCOME: Record<string, string> = { rejected: "rejected: ", error: "failed: " };

/** Print the last messages of the current session. */
export async function printHistory(context: SlashContext, limit: number): Promise<void> {
  const { stdout, style } = context.output;
  for (const message of await context.session.history(limit)) {
    if (message.role === "user") stdout.write(`${style.bold("you ›")} ${terminalText(message.content)}\n`);
    else if (message.role === "assistant" && message.content) stdout.write(`${style.cyan("assistant ›")} ${terminalText(message.content)}\n`);
    else if (message.role === "tool") stdout.write(style.dim(`⚙ ${terminalLine(message.name ?? "tool")} → ${TOOL_OUTCOME[message.status ?? ""] ?? ""}${terminalText(message.content)}\n`));
  }
}

/** A new session's opening message (the assistant's first message), if it has one. */
export async function printOpening(context: SlashContext): Promise<void> {
  const messages = await context.session.history(5);
  const opening = messages.find((message) => message.role === "assistant");
  if (opening && messages.length === 1) context.output.stdout.write(`${context.output.style.cyan("assistant ›")} ${terminalText(opening.content)}\n`);
}

async function fork(checkpointId: string, context: SlashContext): Promise<void> {
  const { stderr } = context.output;
  if (!checkpointId) {
    stderr.write("usage: /fork <checkpoint>\n");
    return;
  }
  try {
    const forked = await context.connection.call<{ thread_id: string }>("state.fork", { thread_id: context.session.threadId, checkpoint_id: checkpointId });
    await context.session.open({ thread_id: forked.thread_id });
    stderr.write(`forked into ${forked.thread_id}\n`);
  } catch (error) {
    if (isMethodNotFound(error)) stderr.write("/fork is not supported by this server\n");
    else throw error;
  }
}
