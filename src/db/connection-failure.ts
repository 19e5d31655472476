/** The socket errors that mean the database server could not be reached at all (not a query's own failure). */
const UNREACHABLE = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "ETIMEDOUT", "EHOSTUNREACH", "ECONNRESET"]);

/** Socket errors of a connection that was open, besides UNREACHABLE's. */
const CONNECTION_LOST = new Set(["EPIPE", "ENETUNREACH", "ENETDOWN", "ECONNABORTED"]);

/**
 * SQLSTATEs of a server going away or not taking connections: admin_shutdown, crash_shutdown, cannot_connect_now,
 * too_many_connections. Class 08 (connection exceptions) is matched as a class.
 */
const SERVER_GONE = new Set(["57P01", "57P02", "57P03", "53300"]);

/** What pg and pg-pool say, without a code, when a connection dies or cannot be had in time. */
const POOL_MESSAGES = [
  "Connection terminated",
  "timeout exceeded when trying to connect",
  "Client has encountered a connection error and is not queryable",
  "Client was closed and is not queryable",
];

/**
 * Whether `error` is the database being unreachable or gone (refused, reset, terminated, timed out connecting) rather
 * than a statement's own failure: the request may succeed when retried, so it is `unavailable`, not `internal`.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string" && (UNREACHABLE.has(code) || CONNECTION_LOST.has(code) || SERVER_GONE.has(code) || /^08[0-9A-Z]{3}$/.test(code))) return true;
  return code === undefined && POOL_MESSAGES.some((message) => error.message.startsWith(message));
}

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
