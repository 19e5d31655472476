import type { CommonFlags } from "../command-context.js";

/** Flags `threadline threads import|export` share. */
export interface ThreadsFlags extends CommonFlags {
  /** The user whose thread it is (direct database access). */
  user?: string;
  /** Talk to this running server instead of opening the database. */
  url?: string;
  apiKey?: string;
}

/**
 * A running server's base URL and credentials, from the flags, THREADLINE_URL and THREADLINE_API_KEY (as
 * `threadline chat` reads them); undefined when neither names a server: the commands open the database then.
 */
export function remoteOf(flags: ThreadsFlags, env: NodeJS.ProcessEnv): { url: string; apiKey?: string; headers: Record<string, string> } | undefined {
  const url = flags.url ?? (env.THREADLINE_URL || undefined);
  if (!url) return undefined;
  const apiKey = flags.apiKey ?? (env.THREADLINE_API_KEY || undefined);
  return { url: url.replace(/\/$/, ""), ...(apiKey ? { apiKey } : {}), headers: apiKey ? { Authorization: `Bearer ${apiKey}` } : {} };
}

/**
 * `fetch` to the server `--url` names, failing with the address and the reason when it cannot be reached (fetch's
 * own "fetch failed" says neither), then with the server's `{code, message}` when it answers with an error.
 */
export async function fetchFromServer(url: string, init?: RequestInit): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(url, init);
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    throw new Error(`cannot reach ${new URL(url).origin}: ${cause?.code ?? cause?.message ?? (error as Error).message} (is the server running at --url?)`, { cause: error });
  }
  return ensureOk(response);
}

/** Fail with the server's `{code, message}` when a response is not ok. */
export async function ensureOk(response: Response): Promise<Response> {
  if (response.ok) return response;
  const text = await response.text();
  let message = text;
  try {
    const body = JSON.parse(text) as { code?: string; message?: string };
    message = `${body.code ?? response.status}: ${body.message ?? text}`;
  } catch {
    message = `HTTP ${response.status}: ${text.slice(0, 200)}`;
  }
  throw new Error(message);
}

/** The logger writes to stdout, where the thread id or the JSONL goes: only errors, unless asked otherwise. */
export function quiet<Flags extends ThreadsFlags>(flags: Flags): Flags {
  return { ...flags, logLevel: flags.logLevel ?? "error" };
}
