/** The socket errors that mean the database server could not be reached at all (not a query's own failure). */
const UNREACHABLE = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "ETIMEDOUT", "EHOSTUNREACH", "ECONNRESET"]);

/**
 * A start-up failure to reach the database at `DATABASE_URL`, said as such: the driver's own "connect ECONNREFUSED
 * 127.0.0.1:1" names neither the database nor the setting. The URL's credentials are never repeated.
 */
export function describeConnectionFailure(error: unknown, databaseUrl: string | undefined): unknown {
  const code = (error as { code?: unknown } | null)?.code;
  if (!databaseUrl || typeof code !== "string" || !UNREACHABLE.has(code)) return error;
  let where = "the database";
  try {
    const url = new URL(databaseUrl);
    where = `the database at ${url.hostname}${url.port ? `:${url.port}` : ""}${url.pathname}`;
  } catch {
    // An unparsable URL fails earlier, in the configuration; keep the plain wording.
  }
  return new Error(`cannot connect to ${where} (DATABASE_URL): ${code}. Is PostgreSQL running there? Unset DATABASE_URL to use the embedded database.`, { cause: error });
}
