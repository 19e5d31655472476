import type { IncomingHttpHeaders } from "node:http";
import type { RequestHandler } from "express";
import { type Config, isLoopbackHost } from "../config.js";
import { AppError } from "../errors/app-error.js";

/** The settings the guard reads. */
export type OriginGuardConfig = Pick<Config, "AUTH_MODE" | "HOST" | "TRUSTED_ORIGINS">;

/**
 * Without authentication (AUTH_MODE=none) the only thing keeping other people out is that the server listens on
 * loopback — but the user's browser is on loopback too. Any web page the user visits could open `ws://127.0.0.1…`
 * or POST to the API and read or drive every conversation (cross-site WebSocket hijacking, CSRF), and a site whose
 * name resolves to 127.0.0.1 (DNS rebinding) would even count as same-origin. So, with AUTH_MODE=none: a request a
 * browser sent from another origin (its `Origin` header) is refused unless listed in TRUSTED_ORIGINS, and on a
 * loopback bind the `Host` must be a loopback name. Clients that are not browsers send no Origin and pass; with
 * API keys or JWTs the credential is what protects (browsers do not attach it by themselves).
 */
export function browserRequestRefusal(headers: IncomingHttpHeaders, config: OriginGuardConfig): AppError | undefined {
  if (config.AUTH_MODE !== "none") return undefined;
  const host = headers.host;
  if (host !== undefined && isLoopbackHost(config.HOST) && !isLoopbackName(hostnameOf(host))) {
    return new AppError("forbidden", `This server has no authentication and answers only to loopback names, not Host ${host.slice(0, 200)}`);
  }
  const origin = headers.origin;
  if (origin === undefined || (host !== undefined && originHost(origin) === host.toLowerCase()) || config.TRUSTED_ORIGINS.includes(origin.toLowerCase())) return undefined;
  return new AppError(
    "forbidden",
    `A browser page from another origin (${origin.slice(0, 200)}) may not use a server without authentication: add it to TRUSTED_ORIGINS, or set AUTH_MODE=apikey|jwt`,
  );
}

/** `browserRequestRefusal` as express middleware (first in the chain: nothing runs for a refused request). */
export function browserOriginGuard(config: OriginGuardConfig): RequestHandler {
  return (request, _response, next) => {
    next(browserRequestRefusal(request.headers, config));
  };
}

function hostnameOf(host: string): string {
  try {
    return new URL(`http://${host}`).hostname;
  } catch {
    return "";
  }
}

function originHost(origin: string): string | undefined {
  try {
    return new URL(origin).host.toLowerCase();
  } catch {
    return undefined;
  }
}

function isLoopbackName(hostname: string): boolean {
  const name = hostname.toLowerCase();
  return isLoopbackHost(name) || name.endsWith(".localhost");
}
