import type { CommonFlags } from "../command-context.js";

/** Flags `threadline threads import|export` share. */
export interface ThreadsFlags extends CommonFlags {
  /** The user whose thread it is (direct database access). */
  user?: string;
  /** Talk to this running server instead of opening the database. */
  url?: string;
  apiKey?: string;
}

/** A running server's base URL and credentials, from the flags and THREADLINE_API_KEY. */
export function remoteOf(flags: ThreadsFlags, env: NodeJS.ProcessEnv): { url: string; headers: Record<string, string> } | undefined {
  if (!flags.url) return undefined;
  const apiKey = flags.apiKey ?? (env.THREADLINE_API_KEY || undefined);
  return { url: flags.url.replace(/\/$/, ""), headers: apiKey ? { Authorization: `Bearer ${apiKey}` } : {} };
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
