import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database.js";

const BIN = path.resolve(import.meta.dirname, "../../bin/threadline.js");
const run = promisify(execFile);

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database?.drop();
});

/** The command as a user runs it: default log level, no WEBHOOK_SECRET (so start-up logs a warning). */
function threadline(args: string[]) {
  return run(process.execPath, [BIN, ...args, "--database-url", database.url], {
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", MODEL: "fake" },
    timeout: 120_000,
  });
}

describe("threadline keys", { timeout: 300_000 }, () => {
  it("prints only the key on stdout (logs go to stderr), so KEY=$(threadline keys create …) works", async () => {
    const created = await threadline(["keys", "create", "--user", "alice", "--name", "laptop"]);
    const lines = created.stdout.split("\n").filter(Boolean);
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain("{");
    expect(created.stderr).toContain("store it now");
    // Nothing about webhooks from a command that sends none (the server says it at its first unsigned delivery).
    expect(created.stderr).not.toContain("WEBHOOK_SECRET");
    const listed = await threadline(["keys", "list", "--user", "alice"]);
    expect(listed.stdout.trim().split("\t")).toEqual(expect.arrayContaining(["alice", "laptop", "active"]));
    expect(listed.stdout).not.toContain('"level"');
  });

  it("refuses a blank or space-padded user, and says when a key was already revoked", async () => {
    for (const user of ["", "   ", " alice"]) {
      const refused = await threadline(["keys", "create", "--user", user]).then(
        () => undefined,
        (error: unknown) => error as { code: number; stderr: string },
      );
      expect(refused?.code, JSON.stringify(user)).toBe(1);
      expect(refused?.stderr).toMatch(/is blank|spaces around it/);
    }
    const created = await threadline(["keys", "create", "--user", "bob"]);
    const keyId = /key (\S+) for user bob/.exec(created.stderr)?.[1] ?? "";
    expect((await threadline(["keys", "revoke", keyId])).stdout).toBe(`revoked ${keyId}\n`);
    expect((await threadline(["keys", "revoke", keyId])).stdout).toMatch(new RegExp(`^${keyId} was already revoked \\(`));
  });
});
