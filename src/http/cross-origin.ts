import cors from "cors";
import type { RequestHandler } from "express";
import type { Config } from "../config.js";

/** Response headers a page of another origin may read (redirect targets, pagination, back-off). */
const EXPOSED_HEADERS = ["Content-Location", "Location", "X-Pagination-Next", "Retry-After"];

/**
 * CORS, so browser pages of other origins can use the API (the official SDK in a front-end): with API keys or JWTs
 * any origin — the credential in the `Authorization` header is the protection, and browsers never attach it by
 * themselves (no cookies: `credentials` stays off) — and without authentication only `TRUSTED_ORIGINS` (the
 * origin guard before this refuses the others). Preflights are answered here, before authentication: a browser
 * sends them without the credential.
 */
export function crossOrigin(config: Pick<Config, "AUTH_MODE" | "TRUSTED_ORIGINS">): RequestHandler {
  const origin = config.AUTH_MODE === "none" ? (requested: string | undefined, callback: (error: Error | null, allow?: boolean) => void) => callback(null, requested !== undefined && config.TRUSTED_ORIGINS.includes(requested.toLowerCase())) : true;
  return cors({ origin, exposedHeaders: EXPOSED_HEADERS, maxAge: 600 });
}
