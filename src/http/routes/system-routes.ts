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
    if (!(await databaseAnswers(services.pool, HEALTH_TIMEOUT_MS))) {
      throw new AppError("unavailable", `Database is not reachable (no answer within ${HEALTH_TIMEOUT_MS / 1000} s)`);
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
