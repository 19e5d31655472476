import { execFile } from "node:child_process";
import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { promisify } from "node:util";
import { expect, it } from "vitest";

const BIN = path.resolve(import.meta.dirname, "../../bin/threadline.js");
const run = promisify(execFile);

it("serve with a malformed JWT_PUBLIC_KEY stops before opening the database, naming the setting", { timeout: 120_000 }, async () => {
  // A database that is not there: the key must be refused before any connection is tried.
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
  const port = (closed.address() as AddressInfo).port;
  await new Promise((resolve) => closed.close(resolve));
  const result = await run(process.execPath, [BIN, "serve", "--port", "0"], {
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", MODEL: "fake", AUTH_MODE: "jwt", JWT_PUBLIC_KEY: "-----BEGIN PUBLIC KEY-----\nnot base64\n-----END PUBLIC KEY-----", DATABASE_URL: `postgres://127.0.0.1:${port}/threadline` },
    timeout: 90_000,
  }).then(
    () => ({ code: 0, stderr: "" }),
    (error: unknown) => error as { code: number; stderr: string },
  );
  expect(result.code).toBe(1);
  expect(result.stderr).toContain("JWT_PUBLIC_KEY: not a PEM public key");
  expect(result.stderr).not.toContain("DECODER");
  expect(result.stderr).not.toContain("cannot connect");
});
