import { execFile } from "node:child_process";
import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { promisify } from "node:util";
import { expect, it } from "vitest";
import { describeConnectionFailure } from "../../src/db/connection-failure.js";

const BIN = path.resolve(import.meta.dirname, "../../bin/threadline.js");
const run = promisify(execFile);

it("a server whose DATABASE_URL reaches no database says so at start-up, naming where, never the password", { timeout: 120_000 }, async () => {
  // A port nothing listens on any more.
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
  const port = (closed.address() as AddressInfo).port;
  await new Promise((resolve) => closed.close(resolve));
  const result = await run(process.execPath, [BIN, "serve", "--port", "0"], {
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", MODEL: "fake", DATABASE_URL: `postgres://app:s3cret@127.0.0.1:${port}/threadline` },
    timeout: 90_000,
  }).then(
    () => ({ code: 0, stderr: "" }),
    (error: unknown) => error as { code: number; stderr: string },
  );
  expect(result.code).toBe(1);
  expect(result.stderr).toContain(`cannot connect to the database at 127.0.0.1:${port}/threadline (DATABASE_URL): ECONNREFUSED`);
  expect(result.stderr).not.toContain("s3cret");
});

it("leaves other errors as they are", () => {
  const other = Object.assign(new Error("relation missing"), { code: "42P01" });
  expect(describeConnectionFailure(other, "postgres://127.0.0.1/x")).toBe(other);
  expect(describeConnectionFailure(Object.assign(new Error("x"), { code: "ECONNREFUSED" }), undefined)).toBeInstanceOf(Error);
});
