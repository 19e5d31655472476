import { readFile } from "node:fs/promises";
import { buffer as readStream } from "node:stream/consumers";
import { LOCAL_USER } from "../../auth/user.js";
import { type ImportAnswer, importAnswer } from "../../http/import-answer.js";
import { longThreadServices } from "../../memory/long-thread-services.js";
import { decodeConversationBytes } from "../../transcript/conversation-bytes.js";
import { counted } from "../count-words.js";
import { withServices } from "../command-context.js";
import { fetchFromServer, quiet, remoteOf, type ThreadsFlags } from "./threads-flags.js";

/** Flags of `threadline threads import`. */
export interface ImportFlags extends ThreadsFlags {
  assistant?: string;
  title?: string;
  assistantSpeaker?: string;
  json?: boolean;
}

/** What an import reports, the same whichever way it ran (the HTTP answer). */
type ImportReport = ImportAnswer;

/**
 * Import a JSONL conversation (a file, or `-` for stdin) into a new thread: directly into the database, or
 * through a running server with `--url`. Prints the new thread id; the numbers go to stderr (or all as JSON).
 */
export async function runImport(file: string, flags: ImportFlags): Promise<void> {
  const text = decodeConversationBytes(file === "-" ? await readStream(process.stdin) : await readFile(file));
  const report = await importText(text, flags);
  if (flags.json) {
    process.stdout.write(`${JSON.stringify(report)}\n`);
    return;
  }
  process.stdout.write(`${report.thread_id}\n`);
  process.stderr.write(
    `imported ${counted(report.messages, "message")} (${counted(report.turns, "turn")}, ${counted(report.sessions, "session")}) in ${(report.duration_ms / 1000).toFixed(1)} s ` +
      `(${report.turns_per_second} turns/s); ${report.working_messages} in the working context, ${counted(report.folds, "fold")} into the summary\n`,
  );
}

async function importText(text: string, flags: ImportFlags): Promise<ImportReport> {
  const remote = remoteOf(flags, process.env);
  if (remote) {
    const query = new URLSearchParams();
    if (flags.assistant) query.set("assistant_id", flags.assistant);
    if (flags.title) query.set("title", flags.title);
    if (flags.assistantSpeaker) query.set("assistant_speaker", flags.assistantSpeaker);
    const response = await fetchFromServer(`${remote.url}/threads/import?${query.toString()}`, {
      method: "POST",
      headers: { ...remote.headers, "Content-Type": "application/x-ndjson" },
      body: text,
    });
    return (await response.json()) as ImportReport;
  }
  const result = await withServices(quiet(flags), (services) =>
    longThreadServices(services).importer.import({ userId: flags.user ?? LOCAL_USER.id, text, assistantId: flags.assistant, title: flags.title, assistantSpeaker: flags.assistantSpeaker }),
  );
  return importAnswer(result);
}
