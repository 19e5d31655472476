import { createWriteStream } from "node:fs";
import { once } from "node:events";
import type { Writable } from "node:stream";
import { LOCAL_USER } from "../../auth/user.js";
import { exportConversation } from "../../transcript/conversation-export.js";
import { withServices } from "../command-context.js";
import { ensureOk, quiet, remoteOf, type ThreadsFlags } from "./threads-flags.js";

/** Flags of `threadline threads export`. */
export interface ExportFlags extends ThreadsFlags {
  /** Write here instead of stdout. */
  output?: string;
}

/** Export a thread's transcript as JSONL (the import format) to stdout or `--output`, page by page. */
export async function runExport(threadId: string, flags: ExportFlags): Promise<void> {
  const output = flags.output ? createWriteStream(flags.output) : process.stdout;
  const remote = remoteOf(flags, process.env);
  if (remote) {
    const response = await ensureOk(await fetch(`${remote.url}/threads/${encodeURIComponent(threadId)}/export`, { headers: remote.headers }));
    await writeAll(output, response.body ? decode(response.body) : emptyLines());
  } else {
    await withServices(quiet(flags), async (services) => {
      const session = await services.sessions.get(flags.user ?? LOCAL_USER.id, threadId);
      await writeAll(output, exportConversation(services.pool, session.thread_id));
    });
  }
  if (output !== process.stdout) {
    output.end();
    await once(output, "finish");
  }
}

async function writeAll(output: Writable, chunks: AsyncIterable<string>): Promise<void> {
  for await (const chunk of chunks) if (!output.write(chunk)) await once(output, "drain");
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
