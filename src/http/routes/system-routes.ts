import { createRequire } from "node:module";
import { Router } from "express";
import { databaseAnswers } from "../../db/database.js";
import { AppError } from "../../errors/app-error.js";
import type { Services } from "../../services.js";

const require = createRequire(import.meta.url);
const VERSION = (require("../../../package.json") as { version: string }).version;
/** How long `/ok` waits for the database: a load balancer must see a frozen database as down, at once. */
const HEALTH_TIMEOUT_MS = 2000;

/** Unauthenticated health and info endpoints. */
export function systemRoutes(services: Services): Router {
  const router = Router();

  router.get("/ok", async (_request, response) => {
    // The embedded database cannot vanish, and its one connection may be busy for seconds (an import): no deadline.
    const timeoutMs = services.databaseKind === "embedded" ? 0 : HEALTH_TIMEOUT_MS;
    if (!(await databaseAnswers(services.pool, timeoutMs))) {
      throw new AppError("unavailable", `Database is not reachable${timeoutMs > 0 ? ` (no answer within ${timeoutMs / 1000} s)` : ""}`);
    }
    // An instance that does not hear the others would serve stale streams: out of rotation until it reconnects.
    if (!services.cluster.healthy) throw new AppError("unavailable", "Not listening to the other instances (the LISTEN connection is reconnecting)");
    response.json({ ok: true });
  });

  router.get("/info", (_request, response) => {
    response.json({
      name: "threadline",
      version: VERSION,
      database: services.databaseKind,
      auth_mode: services.config.AUTH_MODE,
      flags: { assistants: true, crons: true, langsmith: false },
    });
  });

  return router;
}
