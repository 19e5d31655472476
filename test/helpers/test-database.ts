import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";

/** The server tests create their databases on (trust auth); override with TEST_DATABASE_ADMIN_URL. */
export const ADMIN_URL = process.env.TEST_DATABASE_ADMIN_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

/** A fresh, empty database on the real Postgres, dropped on dispose. */
export interface TestDatabase extends AsyncDisposable {
  name: string;
  url: string;
  drop(): Promise<void>;
}

/** Create a uniquely named database for one test file. */
export async function createTestDatabase(prefix = "tl_test"): Promise<TestDatabase> {
  const name = `${prefix}_${randomBytes(6).toString("hex")}`;
  await withAdmin((admin) => admin.query(`CREATE DATABASE ${name}`));
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  let dropped = false;
  const drop = async () => {
    if (dropped) return;
    dropped = true;
    await withAdmin((admin) => admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
  };
  return { name, url: url.toString(), drop, [Symbol.asyncDispose]: drop };
}

/** A temporary directory (for the embedded database), removed on dispose. */
export async function createTempDir(prefix = "threadline-test-"): Promise<{ path: string } & AsyncDisposable> {
  const directory = await mkdtemp(path.join(tmpdir(), prefix));
  return { path: directory, [Symbol.asyncDispose]: () => rm(directory, { recursive: true, force: true }) };
}

async function withAdmin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
