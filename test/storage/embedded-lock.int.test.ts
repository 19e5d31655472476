import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { expect, it } from "vitest";
import { startEmbeddedPostgres } from "../../src/db/embedded-postgres.js";
import { createTempDir } from "../helpers/test-database.js";

const BIN = path.resolve(import.meta.dirname, "../../bin/threadline.js");
const run = promisify(execFile);

it("one process at a time holds an embedded database: a second is refused until the first stops", { timeout: 120_000 }, async () => {
  await using work = await createTempDir("embedded-lock-");
  const first = await startEmbeddedPostgres({ dataDir: work.path });
  try {
    await expect(startEmbeddedPostgres({ dataDir: work.path })).rejects.toThrow(/The embedded database in .*pglite is in use by another process/);
    // A CLI command beside it (as beside a running server) exits 1 with the same words, having written nothing.
    const cli = await run(process.execPath, [BIN, "checkpoints", "prune", "--days", "0", "--data-dir", work.path], {
      env: { PATH: process.env.PATH ?? "", HOME: work.path, MODEL: "fake", LOG_LEVEL: "silent" },
      timeout: 90_000,
    }).then(
      () => ({ code: 0, stderr: "" }),
      (error: unknown) => error as { code: number; stderr: string },
    );
    expect(cli.code).toBe(1);
    expect(cli.stderr).toContain("is in use by another process");
  } finally {
    await first.stop();
  }
  const again = await startEmbeddedPostgres({ dataDir: work.path });
  await again.stop();
});
