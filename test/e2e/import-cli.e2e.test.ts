import { execFile } from "node:child_process";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { readdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { useDatabaseAndDir } from "../helpers/use-database-and-dir.js";
import { canonicalConversation } from "../transcript/conversation-fixture.js";

const BIN = path.resolve(import.meta.dirname, "../../bin/threadline.js");
const run = promisify(execFile);

const scratch = useDatabaseAndDir();

function threadline(args: string[]) {
  return run(process.execPath, [BIN, "threads", ...args, "--database-url", scratch.database.url], {
    // LOG_LEVEL left at the commands' default (warn): warnings (e.g. no WEBHOOK_SECRET) go to stderr, and
    // stdout must still be exactly the exported JSONL.
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", MODEL: "fake" },
    timeout: 120_000,
  });
}

// Each command starts a process that compiles the sources and opens the database: slow on a busy machine.
describe("threadline threads import / export", { timeout: 300_000 }, () => {
  it("imports a file into a new thread and exports it back byte for byte", async () => {
    const file = path.join(scratch.directory.path, "conversation.jsonl");
    const out = path.join(scratch.directory.path, "exported.jsonl");
    await writeFile(file, canonicalConversation());
    const imported = await threadline(["import", file, "--title", "From a file"]);
    const threadId = imported.stdout.trim();
    expect(threadId).toMatch(/^[0-9a-f-]{36}$/);
    expect(imported.stderr).toMatch(/imported 11 messages \(3 turns, 2 sessions\) in [\d.]+ s \(\d+ turns\/s\)/);
    await threadline(["export", threadId, "--output", out]);
    expect(await readFile(out, "utf8")).toBe(canonicalConversation());
    const toStdout = await threadline(["export", threadId]);
    expect(toStdout.stdout).toBe(canonicalConversation());
  });

  it("fails with the line number of a malformed line, and on another user's thread", async () => {
    const file = path.join(scratch.directory.path, "bad.jsonl");
    await writeFile(file, '{"role":"user","content":"ok"}\nnot json\n');
    await expect(threadline(["import", file])).rejects.toMatchObject({ stderr: expect.stringContaining("Line 2") as unknown });
    const imported = await threadline(["import", path.join(scratch.directory.path, "conversation.jsonl"), "--json"]);
    const { thread_id: threadId } = JSON.parse(imported.stdout) as { thread_id: string };
    await expect(threadline(["export", threadId, "--user", "mallory"])).rejects.toMatchObject({ stderr: expect.stringContaining("not found") as unknown });
    // A failed export leaves the file it was to replace as it was, and no partial file beside it.
    const kept = path.join(scratch.directory.path, "kept.jsonl");
    await writeFile(kept, "an earlier export\n");
    await expect(threadline(["export", threadId, "--user", "mallory", "--output", kept])).rejects.toMatchObject({ stderr: expect.stringContaining("not found") as unknown });
    expect(await readFile(kept, "utf8")).toBe("an earlier export\n");
    expect((await readdir(scratch.directory.path)).filter((name) => name.includes("partial"))).toEqual([]);
    // A file it cannot write: one line saying so, exit 1, no stack trace of an unhandled 'error' event.
    const nowhere = path.join(scratch.directory.path, "no-such-dir", "x.jsonl");
    const failed = await threadline(["export", threadId, "--output", nowhere]).then(
      () => undefined,
      (error: unknown) => error as { code: number; stderr: string },
    );
    expect(failed?.code).toBe(1);
    expect(failed?.stderr).toContain(`cannot write ${nowhere}: ENOENT`);
    expect(failed?.stderr).not.toMatch(/Unhandled 'error' event|\n\s+at /);
  });

  it("says which server it could not reach with --url, and refuses a file that is not UTF-8 naming the line", async () => {
    const file = path.join(scratch.directory.path, "to-send.jsonl");
    await writeFile(file, canonicalConversation());
    // A port nothing listens on any more.
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const down = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
    await new Promise((resolve) => closed.close(resolve));
    await expect(threadline(["import", file, "--url", down])).rejects.toMatchObject({ stderr: expect.stringContaining(`cannot reach ${down}: ECONNREFUSED`) as unknown });
    await expect(threadline(["export", "00000000-0000-4000-8000-000000000000", "--url", down])).rejects.toMatchObject({
      stderr: expect.stringContaining(`cannot reach ${down}`) as unknown,
    });
    // THREADLINE_URL names the server as --url does (as for threadline chat).
    const viaEnv = run(process.execPath, [BIN, "threads", "list"], { env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", THREADLINE_URL: down }, timeout: 120_000 });
    await expect(viaEnv).rejects.toMatchObject({ stderr: expect.stringContaining(`cannot connect to ${down.replace("http", "ws")}/ws`) as unknown });
    const latin1 = path.join(scratch.directory.path, "latin1.jsonl");
    await writeFile(latin1, Buffer.from('{"role":"user","content":"caf\u00e9"}\n', "latin1"));
    await expect(threadline(["import", latin1])).rejects.toMatchObject({ stderr: expect.stringContaining("Line 1: not valid UTF-8") as unknown });
  });

  it("reads a file with a byte order mark, and stops quietly when the reader of its export goes away", async () => {
    const lines = Array.from({ length: 3000 }, (_, index) => JSON.stringify({ role: index % 2 === 0 ? "user" : "assistant", content: `line ${index} ${"x".repeat(200)}`, timestamp: "2024-03-01T09:00:00Z" }));
    const file = path.join(scratch.directory.path, "bom.jsonl");
    await writeFile(file, `\uFEFF${lines.join("\r\n")}\r\n`);
    const threadId = (await threadline(["import", file])).stdout.trim();
    const piped = await run("sh", ["-c", `"${process.execPath}" "${BIN}" threads export ${threadId} --database-url "${scratch.database.url}" | head -n 1`], {
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", MODEL: "fake", LOG_LEVEL: "error" },
      timeout: 120_000,
    });
    expect(JSON.parse(piped.stdout)).toMatchObject({ role: "user", content: lines[0] ? (JSON.parse(lines[0]) as { content: string }).content : "" });
    expect(piped.stderr).not.toMatch(/EPIPE/);
  });
});
