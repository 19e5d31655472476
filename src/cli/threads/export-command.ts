import { createWriteStream } from "node:fs";
import { rename, rm } from "node:fs/promises";
import { finished } from "node:stream/promises";
import path from "node:path";
import { once } from "node:events";
import type { Writable } from "node:stream";
import { LOCAL_USER } from "../../auth/user.js";
import { exportConversation } from "../../transcript/conversation-export.js";
import { withServices } from "../command-context.js";
import { fetchFromServer, quiet, remoteOf, type ThreadsFlags } from "./threads-flags.js";

/** Flags of `threadline threads export`. */
export interface ExportFlags extends ThreadsFlags {
  /** Write here instead of stdout. */
  output?: string;
}

/**
 * Export a thread's transcript as JSONL (the import format) to stdout or `--output`, page by page. A file is written
 * under a temporary name and renamed when the export is complete: a failed export (unknown thread, server down)
 * leaves an existing file as it was. A closed stdout (`| head`) ends the export quietly.
 */
export async function runExport(threadId: string, flags: ExportFlags): Promise<void> {
  if (flags.output) return exportToFile(threadId, flags, flags.output);
  const closed = new AbortController();
  const onError = (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") closed.abort();
    else throw error;
  };
  process.stdout.on("error", onError);
  try {
    await exportTo(process.stdout, { threadId, flags, closed: closed.signal });
  } catch (error) {
    // The reader went away (EPIPE): not a failure of the export.
    if (!closed.signal.aborted) throw error;
  } finally {
    process.stdout.off("error", onError);
  }
}

async function exportToFile(threadId: string, flags: ExportFlags, file: string): Promise<void> {
  const partial = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.partial`);
  const output = createWriteStream(partial);
  // `finished` reports it: without a listener, a file that cannot be written (no such directory, a full disk) would
  // crash the process with an unhandled 'error' event.
  output.on("error", () => undefined);
  try {
    await once(output, "open");
    await exportTo(output, { threadId, flags });
    output.end();
    await finished(output);
    await rename(partial, file);
  } catch (error) {
    output.destroy();
    await rm(partial, { force: true });
    throw isFileError(error) ? new Error(`cannot write ${file}: ${error.message}`) : error;
  }
}

/** An error of the file system (its `code` is `ENOENT`, `EACCES`, `ENOSPC`…), not of the export. */
function isFileError(error: unknown): error is NodeJS.ErrnoException {
  return error instanceof Error && typeof (error as NodeJS.ErrnoException).syscall === "string";
}

async function exportTo(output: Writable, source: { threadId: string; flags: ExportFlags; closed?: AbortSignal }): Promise<void> {
  const { threadId, flags, closed } = source;
  const remote = remoteOf(flags, process.env);
  if (remote) {
    const response = await fetchFromServer(`${remote.url}/threads/${encodeURIComponent(threadId)}/export`, { headers: remote.headers });
    await writeAll(output, response.body ? decode(response.body) : emptyLines(), closed);
  } else {
    await withServices(quiet(flags), async (services) => {
      const session = await services.sessions.get(flags.user ?? LOCAL_USER.id, threadId);
      await writeAll(output, exportConversation(services.pool, session.thread_id), closed);
    });
  }
}

async function writeAll(output: Writable, chunks: AsyncIterable<string>, closed?: AbortSignal): Promise<void> {
  for await (const chunk of chunks) {
    if (closed?.aborted) return;
    if (!output.write(chunk)) await Promise.race([once(output, "drain"), ...(closed ? [once(closed, "abort")] : [])]);
  }
}

async function* decode(body: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  const reader = body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    yield decoder.decode(value, { stream: true });
  }
  yield decoder.decode();
}

async function* emptyLines(): AsyncGenerator<string> {}
