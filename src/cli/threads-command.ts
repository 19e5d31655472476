import { type Command, Option } from "commander";
import { withDatabaseOptions } from "./command-context.js";
import { type ExportFlags, runExport } from "./threads/export-command.js";
import { type ImportFlags, runImport } from "./threads/import-command.js";

/**
 * `threadline threads import|export`: bring conversations from other systems in, take them out (JSONL).
 * @example threadline threads import chat-history.jsonl --title "From the old bot"
 * @example threadline threads export 0f8c…-thread-id --output thread.jsonl
 */
export function registerThreadsCommand(program: Command): void {
  const threads = program.command("threads").description("import and export conversations (JSONL, see docs/long-threads.md)");
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
    .addOption(new Option("--url <url>", "go through this running server instead of opening the database (needed while an embedded-database server runs)"))
    .addOption(new Option("--api-key <key>", "API key or token with --url (env THREADLINE_API_KEY)"));
}
