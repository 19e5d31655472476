import { isUuid } from "../../db/ids.js";
import { ChatExit, EXIT } from "./exit-codes.js";

/** Flags of `threadline chat`, as commander parses them. */
export interface ChatFlags {
  url?: string;
  apiKey?: string;
  session?: string;
  window?: string;
  new?: boolean;
  assistant?: string;
  once?: boolean;
  color?: boolean;
}

/** Resolved options: flags win over the environment, which wins over defaults. */
export interface ChatOptions {
  /** `ws(s)://host:port/ws` */
  wsUrl: string;
  apiKey: string | undefined;
  session: string | undefined;
  /** @default "terminal" */
  window: string;
  fresh: boolean;
  assistant: string | undefined;
  once: boolean;
  color: boolean;
  /** The message given on the command line (instead of stdin). */
  message: string | undefined;
}

/** The server a terminal talks to when neither `--url` nor THREADLINE_URL says otherwise. */
export const DEFAULT_URL = "http://127.0.0.1:8123";

/** Merge flags, environment and defaults; errors name both the flag and the variable. */
export function resolveChatOptions(flags: ChatFlags, words: string[], env: NodeJS.ProcessEnv): ChatOptions {
  const url = flags.url ?? env.THREADLINE_URL ?? DEFAULT_URL;
  if (flags.session && flags.new) throw new ChatExit(EXIT.usage, "--session and --new exclude each other");
  if (flags.session !== undefined && !isUuid(flags.session)) {
    throw new ChatExit(EXIT.usage, `--session expects a session id (a UUID, as /sessions lists them), not ${JSON.stringify(flags.session.slice(0, 80))}`);
  }
  const color = flags.color !== false && !env.NO_COLOR && process.stdout.isTTY === true;
  return {
    wsUrl: toWebSocketUrl(url),
    apiKey: flags.apiKey ?? (env.THREADLINE_API_KEY || undefined),
    session: flags.session,
    window: flags.window ?? "terminal",
    fresh: flags.new === true,
    assistant: flags.assistant,
    once: flags.once === true,
    color,
    message: words.length > 0 ? words.join(" ") : undefined,
  };
}

/** `http://host:8123` → `ws://host:8123/ws`; a ws(s) URL is used as given. */
export function toWebSocketUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ChatExit(EXIT.usage, `Not a URL: "${url}" (--url or THREADLINE_URL)`);
  }
  if (parsed.protocol === "ws:" || parsed.protocol === "wss:") return parsed.toString();
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") throw new ChatExit(EXIT.usage, `Unsupported URL scheme in "${url}"`);
  parsed.protocol = parsed.protocol === "https:" ? "wss:" : "ws:";
  parsed.pathname = `${parsed.pathname.replace(/\/$/, "")}/ws`;
  return parsed.toString();
}
