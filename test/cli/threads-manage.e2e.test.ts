import { execFile } from "node:child_process";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { useDatabaseAndDir } from "../helpers/use-database-and-dir.js";
import { chat, TestWsClient } from "../helpers/ws-client.js";
import { canonicalConversation } from "../transcript/conversation-fixture.js";
import { runCli } from "./cli-process.js";
import { useCliTestServer } from "./cli-test-server.js";

const BIN = path.resolve(import.meta.dirname, "../../bin/threadline.js");
const run = promisify(execFile);
const UNKNOWN_THREAD = "00000000-0000-4000-8000-000000000000";

/** `threadline threads <args>`; a failure resolves too, with its exit code. */
async function threads(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, "threads", ...args], {
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", MODEL: "fake" },
      timeout: 120_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, stdout: failed.stdout ?? "", stderr: failed.stderr ?? "" };
  }
}

const server = useCliTestServer();

// Each command starts a process that compiles the sources and opens the database or a socket: slow on a busy machine.
describe("threadline threads list / search / delete", { timeout: 300_000 }, () => {
  describe("on the database", () => {
    const scratch = useDatabaseAndDir();

    it("lists, searches (English and Chinese) and deletes a user's threads, and only theirs", async () => {
      const file = path.join(scratch.directory.path, "conversation.jsonl");
      await writeFile(file, canonicalConversation());
      const db = ["--database-url", scratch.database.url];
      const first = (await threads(["import", file, "--title", "Falcon notes", ...db])).stdout.trim();
      const second = (await threads(["import", file, "--title", "Weather in Beijing", ...db])).stdout.trim();
      const mallorys = (await threads(["import", file, "--title", "Mallory's copy", "--user", "mallory", ...db])).stdout.trim();

      const listed = await threads(["list", ...db]);
      expect(listed.code).toBe(0);
      const rows = listed.stdout.trim().split("\n").map((line) => line.split("\t"));
      expect(rows.map((row) => row[0])).toEqual([second, first]);
      expect(rows[0]?.slice(1, 3)).toEqual(["Weather in Beijing", "idle"]);
      const filtered = JSON.parse((await threads(["list", "--query", "FALCON", "--json", ...db])).stdout) as { thread_id: string }[];
      expect(filtered.map((session) => session.thread_id)).toEqual([first]);

      const chinese = JSON.parse((await threads(["search", "天气预报", "--json", ...db])).stdout) as { thread_id: string; content: string }[];
      expect(new Set(chinese.map((hit) => hit.thread_id))).toEqual(new Set([first, second]));
      expect(chinese[0]?.content).toContain("天气预报");
      const refused = await threads(["delete", mallorys, second, ...db]);
      expect(refused.code).toBe(1);
      expect(refused.stdout).toBe(`deleted ${second}\n`);
      expect(refused.stderr).toContain(`not deleted: ${mallorys}`);
      // What is left, read from the table itself (one process fewer per check).
      const pool = new pg.Pool({ connectionString: scratch.database.url });
      try {
        const left = await pool.query<{ thread_id: string; user_id: string }>("SELECT thread_id, user_id FROM threads ORDER BY user_id");
        expect(left.rows).toEqual([
          { thread_id: first, user_id: "local" },
          { thread_id: mallorys, user_id: "mallory" },
        ]);
      } finally {
        await pool.end();
      }
    });

    it("refuses bad flags and queries with a message", async () => {
      const db = ["--database-url", scratch.database.url];
      const zero = await threads(["list", "--limit", "0", ...db]);
      expect(zero.code).not.toBe(0);
      expect(zero.stderr).toContain("expected a whole number from 1 to 10000");
      const long = await threads(["search", "x".repeat(600), ...db]);
      expect(long.code).toBe(1);
      expect(long.stderr).toContain("invalid search");
      const badThread = await threads(["search", "hello", "--thread", "not-a-uuid", ...db]);
      expect(badThread.code).toBe(1);
      expect(badThread.stderr).toContain("invalid search");
    });
  });

  describe("through a running server (--url)", () => {
    it("lists, searches and deletes over the server's WebSocket; an open window hears of the deletion", async () => {
      await using client = await TestWsClient.connect(server.server.wsUrl);
      const kept = await client.call<{ thread_id: string }>("thread.open", { title: "Heron sightings" });
      await chat(client, kept.thread_id, "a grey heron at the 西湖 this morning");
      const doomed = await client.call<{ thread_id: string }>("thread.open", { title: "Scratch" });
      await client.call("subscription.subscribe", { thread_id: doomed.thread_id });
      const url = ["--url", server.server.url];

      const listed = JSON.parse((await threads(["list", "--json", "--limit", "150", ...url])).stdout) as { thread_id: string; title: string }[];
      expect(listed.map((session) => session.thread_id).slice(0, 2)).toEqual([doomed.thread_id, kept.thread_id]);
      const hits = await threads(["search", "西湖", "--thread", kept.thread_id, ...url]);
      expect(hits.stdout).toContain(`${kept.thread_id}\t`);
      expect(hits.stdout).toContain("Heron sightings");

      const deleted = await threads(["delete", doomed.thread_id, UNKNOWN_THREAD, "--json", ...url]);
      expect(deleted.code).toBe(1);
      expect(JSON.parse(deleted.stdout)).toMatchObject({ deleted: [doomed.thread_id], failed: [{ thread_id: UNKNOWN_THREAD }] });
      await client.waitFor((frame) => frame.type === "event" && frame.event === "thread.deleted" && frame.thread_id === doomed.thread_id);
      expect((await client.callError("thread.get", { thread_id: doomed.thread_id })).code).toBe("not_found");

      const unreachable = await threads(["list", "--url", "http://127.0.0.1:9"]);
      expect(unreachable.code).toBe(1);
      expect(unreachable.stderr).toContain("cannot connect to ws://127.0.0.1:9/ws");
    });

    it("control characters of titles and replies never reach the terminal raw; a title stays one field", async () => {
      await using client = await TestWsClient.connect(server.server.wsUrl);
      const odd = await client.call<{ thread_id: string }>("thread.open", { title: "tab\there\nnl \u001b[31mred" });
      await chat(client, odd.thread_id, "a kingfisher \u001b]0;PWNED\u0007 by the river");
      const url = ["--url", server.server.url];
      const shown = "tab here nl \\x1b[31mred";

      const listed = await threads(["list", "--limit", "1", ...url]);
      expect(listed.stdout).toBe(`${odd.thread_id}\t${shown}\tidle\t${listed.stdout.split("\t")[3] ?? ""}`);
      const hits = await threads(["search", "kingfisher", "--thread", odd.thread_id, ...url]);
      const rows = hits.stdout.trim().split("\n").map((line) => line.split("\t"));
      expect(rows.length).toBeGreaterThan(0);
      for (const row of rows) expect(row.slice(4)).toEqual([shown, expect.stringContaining("kingfisher \\x1b]0;PWNED\\x07 by")]);

      const commands = await runCli(["--url", server.server.url, "--session", odd.thread_id], { input: "/sessions\n/search kingfisher\n/history 2\n" });
      const once = await runCli(["--once", "--new", "--url", server.server.url], { input: "hi \u001b]0;PWNED\u0007 \u001b[2J done" });
      // eslint-disable-next-line no-control-regex
      for (const output of [commands.stdout, commands.stderr, once.stdout, once.stderr]) expect(output).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
      expect(commands.stdout).toContain(`${odd.thread_id.slice(0, 8)}  ${shown}`);
      expect(commands.stdout).toContain("you › a kingfisher \\x1b]0;PWNED\\x07 by the river");
      expect(once.stdout).toBe("You said: hi \\x1b]0;PWNED\\x07 \\x1b[2J done\n");
    });
  });
});
