import type { Assistant, ServerInfo } from "./protocol-types.js";
import { RpcError } from "./rpc-error.js";

/** `GET /info`: the auth mode decides whether the page asks for a key. */
export async function fetchServerInfo(): Promise<ServerInfo> {
  const response = await fetch("/info", { headers: { Accept: "application/json" } });
  if (!response.ok) throw new RpcError("unavailable", `server answered ${response.status}`);
  return (await response.json()) as ServerInfo;
}

/**
 * `POST /assistants/search`; doubles as the sign-in check, since a bad key or token answers 401 here: then it
 * throws an `unauthorized` RpcError carrying the server's reason (auth-wording.ts words it for the user).
 */
export async function searchAssistants(token: string | undefined): Promise<Assistant[]> {
  const headers: Record<string, string> = { "Content-Type": "application/json", Accept: "application/json" };
  if (token) headers.Authorization = `Bearer ${token}`;
  const response = await fetch("/assistants/search", { method: "POST", headers, body: JSON.stringify({ limit: 100 }) });
  if (response.status === 401) throw new RpcError("unauthorized", (await errorBodyMessage(response)) ?? "unauthorized");
  if (response.status === 429) throw new RpcError("rate_limited", (await errorBodyMessage(response)) ?? "Too many requests", { retry_after_ms: retryAfterMs(response) });
  if (!response.ok) throw new RpcError("unavailable", (await errorBodyMessage(response)) ?? `server answered ${response.status}`);
  return (await response.json()) as Assistant[];
}

/** How long a 429 asks to wait, from its `Retry-After` seconds (1 s when it says nothing readable). */
function retryAfterMs(response: Response): number {
  const seconds = Number(response.headers.get("Retry-After"));
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 1000;
}

/** The WebSocket URL of this page's server; browsers cannot set headers, so the token rides in the query. */
export function webSocketUrl(token: string | undefined): string {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  const query = token ? `?token=${encodeURIComponent(token)}` : "";
  return `${scheme}//${location.host}/ws${query}`;
}

/** The `message` of an error body (`{code, message}`), if the response has one. */
async function errorBodyMessage(response: Response): Promise<string | undefined> {
  try {
    const body = (await response.json()) as { message?: unknown; error?: { message?: unknown } };
    const message = body.message ?? body.error?.message;
    return typeof message === "string" ? message : undefined;
  } catch {
    return undefined;
  }
}
