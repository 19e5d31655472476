import type { ImportResult } from "../memory/conversation-importer.js";
import { toThreadResponse } from "./thread-response.js";

/** What an import answers, over HTTP and from `threadline threads import --json` alike. */
export function importAnswer(result: ImportResult) {
  return { ...result, thread: toThreadResponse(result.thread), thread_id: result.thread.thread_id };
}

/** The import answer's shape. */
export type ImportAnswer = ReturnType<typeof importAnswer>;
