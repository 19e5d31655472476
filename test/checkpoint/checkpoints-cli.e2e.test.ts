import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database.js";
import { startTestServer } from "../helpers/test-server.js";
import { chat, TestWsClient } from "../helpers/ws-client.js";

const BIN = path.resolve(import.meta.dirname, "../../bin/threadline.js");
const run = promisify(execFile);

let database: TestDatabase;
let threadId: string;

beforeAll(async () => {
  database = await createTestDatabase();
  await using server = await startTestServer({ databaseUrl: database.url });
  await using client = await TestWsClient.connect(server.wsUrl);
  threadId = (await client.call<{ thread_id: string }>("thread.open", { window_id: "pruned" })).thread_id;
  for (const text of ["one", '/tool calculator {"expression":"2+3"}', "three"]) await chat(client, threadId, text);
});
afterAll(async () => {
  await database?.drop();
});

function checkpoints(args: string[]) {
  return run(process.execPath, [BIN, "checkpoints", "prune", ...args, "--database-url", database.url], {
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", MODEL: "fake", LOG_LEVEL: "silent" },
    timeout: 120_000,
  });
}

async function checkpointCount(): Promise<number> {
  await using server = await startTestServer({ databaseUrl: database.url });
  const { rows } = await server.services.pool.query<{ n: number }>("SELECT count(*)::int AS n FROM checkpoints WHERE thread_id = $1", [threadId]);
  return rows[0]?.n ?? 0;
}

it("threadline checkpoints prune: nothing without an age; with --days 0 keeps one checkpoint per turn", { timeout: 300_000 }, async () => {
  const before = await checkpointCount();
  const refused = await checkpoints([]);
  expect(refused.stdout.trim()).toBe("no retention configured (set --days or CHECKPOINT_RETENTION_DAYS): nothing pruned");
  expect(await checkpointCount()).toBe(before);

  const pruned = await checkpoints(["--days", "0"]);
  const match = /^pruned (\d+) checkpoints, \d+ writes, \d+ blobs in (\d+) threads \(older than 0 days\)$/.exec(pruned.stdout.trim());
  expect(match, pruned.stdout).not.toBeNull();
  expect(Number(match?.[1])).toBe(before - 3);
  expect(await checkpointCount()).toBe(3);
});

it("threadline checkpoints prune refuses a bad --days or --thread with a non-zero exit, pruning nothing", { timeout: 300_000 }, async () => {
  const failure = (args: string[]) => checkpoints(args).then(() => { throw new Error(`expected ${args.join(" ")} to fail`); }, (error: unknown) => error as { code: number; stderr: string });
  for (const days of ["-1", "abc", "", "1e9"]) {
    const refused = await failure(["--days", days]);
    expect(refused.code, days).toBe(1);
    expect(refused.stderr, days).toContain("expected a number of days from 0 to 36500");
  }
  const notUuid = await failure(["--days", "0", "--thread", "not-a-uuid"]);
  expect(notUuid.stderr).toContain("expected a thread id (a UUID)");
  const unknown = await failure(["--days", "0", "--thread", "00000000-0000-4000-8000-000000000000"]);
  expect(unknown.code).toBe(1);
  expect(unknown.stderr).toContain("thread 00000000-0000-4000-8000-000000000000 not found in this database");
  const known = await checkpoints(["--days", "0", "--thread", threadId]);
  expect(known.stdout).toMatch(/^pruned \d+ checkpoints, \d+ writes, \d+ blobs in 1 threads/);
});
