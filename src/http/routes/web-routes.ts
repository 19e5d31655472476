import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { type Response, Router } from "express";
import type { Services } from "../../services.js";

/** Where `npm run build:web` writes the page (committed, so a plain checkout can serve it). */
export const WEB_DIST_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../web/dist");

// Model output is rendered in this page: the policy is the second line of defence behind the sanitizer, so
// even an injected <script> or inline handler could not run. Only same-origin scripts, styles and sockets.
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

const ASSET_NAME = /^[\w-]+\.(js|css)$/;

/**
 * The browser chat page: `GET /` and its hashed assets under `/assets/`. Nothing else, so the API routes
 * (`/threads`, `/assistants`, `/ws`, …) are never shadowed. The page signs in through the public API.
 */
export function webRoutes(_services: Services, options: { distDir?: string } = {}): Router {
  const distDir = options.distDir ?? WEB_DIST_DIR;
  const router = Router();

  router.get("/", (_request, response) => {
    const index = path.join(distDir, "index.html");
    if (!existsSync(index)) {
      response.status(503).type("text/plain").send("The web page is not built. Run `npm run build:web`, then reload.\n");
      return;
    }
    securityHeaders(response);
    response.setHeader("Cache-Control", "no-cache");
    response.sendFile(index);
  });

  router.get("/assets/:file", (request, response) => {
    const file = request.params.file;
    if (!ASSET_NAME.test(file)) {
      notFound(response);
      return;
    }
    securityHeaders(response);
    // Names carry a content hash, so a given URL never changes.
    response.sendFile(file, { root: path.join(distDir, "assets"), maxAge: "365d", immutable: true }, (error) => {
      if (error && !response.headersSent) notFound(response);
    });
  });

  return router;
}

function securityHeaders(response: Response): void {
  response.setHeader("Content-Security-Policy", CONTENT_SECURITY_POLICY);
  response.setHeader("X-Content-Type-Options", "nosniff");
  response.setHeader("Referrer-Policy", "no-referrer");
}

function notFound(response: Response): void {
  response.status(404).json({ code: "not_found", message: "No such asset" });
}
