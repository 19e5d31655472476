import { type Command, Option } from "commander";
import { withDatabaseOptions } from "./command-context.js";
import { type ExportFlags, runExport } from "./threads/export-command.js";
import { type ImportFlags, runImport } from "./threads/import-command.js";
import { type DeleteFlags, type ListFlags, runDelete, runList, runSearch, type SearchFlags, wholeNumber } from "./threads/manage-commands.js";

/**
 * `threadline threads list|search|delete|import|export`: find and remove sessions from scripts; bring conversations
 * from other systems in, take them out (JSONL).
 * @example threadline threads list --query budget --json
 * @example threadline threads search 天气预报 --limit 5
 * @example threadline threads import chat-history.jsonl --title "From the old bot"
 * @example threadline threads export 0f8c…-thread-id --output thread.jsonl
 */
export function registerThreadsCommand(program: Command): void {
  const threads = program.command("threads").description("list, search, delete, import and export conversations");
  withRemoteOptions(withDatabaseOptions(threads.command("list")))
    .description("the user's sessions, newest activity first: id, title, status, last activity (tab-separated)")
    .option("--query <text>", "only sessions whose title contains this (ignoring case)")
    .option("--limit <n>", "at most this many (1-10000)", wholeNumber(1, 10_000), 20)
    .option("--json", "print the sessions as a JSON array")
    .action(async (flags: ListFlags) => runList(flags));
  withRemoteOptions(withDatabaseOptions(threads.command("search")))
    .description("find messages across the user's threads (English, Chinese, mixed), best first: thread, seq, role, time, title, snippet")
    .argument("<words...>", "what to look for")
    .option("--limit <n>", "at most this many hits (1-100)", wholeNumber(1, 100), 20)
    .option("--thread <id>", "only in this thread (repeat for more)", (value: string, previous: string[] = []) => [...previous, value])
    .option("--json", "print the hits as a JSON array")
    .action(async (words: string[], flags: SearchFlags) => runSearch(words, flags));
  withRemoteOptions(withDatabaseOptions(threads.command("delete")))
    .description("delete threads for good: runs, transcript, events and checkpoints (open windows are told)")
    .argument("<thread-id...>", "the threads to delete")
    .option("--json", "print {deleted, failed} as JSON")
    .action(async (threadIds: string[], flags: DeleteFlags) => runDelete(threadIds, flags));
  withRemoteOptions(withDatabaseOptions(threads.command("import")))
    .description("load a JSONL conversation into a new thread (transcript, search, working context and summary)")
    .argument("<file>", "JSONL file, or - for stdin")
    .option("--assistant <id>", "assistant of the new thread", "chat")
    .option("--title <title>", "title of the new thread")
    .option("--assistant-speaker <name>", "for lines with a speaker instead of a role: who is the assistant (default: the second speaker)")
    .option("--json", "print the whole result as JSON")
    .action(async (file: string, flags: ImportFlags) => runImport(file, flags));
  withRemoteOptions(withDatabaseOptions(threads.command("export")))
    .description("write a thread's whole transcript as JSONL (the import format)")
    .argument("<thread-id>", "the thread to export")
    .option("--output <file>", "write to this file instead of stdout")
    .action(async (threadId: string, flags: ExportFlags) => runExport(threadId, flags));
}

function withRemoteOptions(command: Command): Command {
  return command
    .option("--user <id>", "the user who owns the thread (direct database access; default: the AUTH_MODE=none user)")
    .addOption(new Option("--url <url>", "go through this running server instead of opening the database (needed while an embedded-database server runs; env THREADLINE_URL)"))
    .addOption(new Option("--api-key <key>", "API key or token with --url (env THREADLINE_API_KEY)"));
}
