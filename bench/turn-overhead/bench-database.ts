import { randomBytes } from "node:crypto";
import pg from "pg";

/** The server the benchmark creates its databases on (trust auth). `--database-url` overrides it. */
export const DEFAULT_ADMIN_URL = "postgres://postgres@127.0.0.1:5432/postgres";

/** A fresh database on the given server, dropped on dispose. */
export interface BenchDatabase extends AsyncDisposable {
  name: string;
  url: string;
  /** Drop the database (idempotent). */
  drop(): Promise<void>;
}

/**
 * Create an empty, uniquely named database next to the one `adminUrl` points at, so both sides run on the same
 * server but never see each other's rows, and nothing is left behind when `keep` is false.
 */
export async function createBenchDatabase(options: { adminUrl: string; prefix: string; keep?: boolean }): Promise<BenchDatabase> {
  const name = `${options.prefix}_${randomBytes(4).toString("hex")}`;
  await withAdmin(options.adminUrl, (admin) => admin.query(`CREATE DATABASE ${name}`));
  const url = new URL(options.adminUrl);
  url.pathname = `/${name}`;
  let dropped = false;
  const drop = async () => {
    if (dropped || options.keep) return;
    dropped = true;
    await withAdmin(options.adminUrl, (admin) => admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
  };
  return { name, url: url.toString(), drop, [Symbol.asyncDispose]: drop };
}

/** The server's version string, for the report. */
export async function serverVersion(adminUrl: string): Promise<string> {
  return withAdmin(adminUrl, async (admin) => (await admin.query<{ server_version: string }>("SHOW server_version")).rows[0]?.server_version ?? "?");
}

async function withAdmin<T>(adminUrl: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
