import express, { type Express } from "express";
import type { Services } from "../services.js";
import { authMiddleware } from "./auth-middleware.js";
import { browserOriginGuard } from "./browser-origin-guard.js";
import { crossOrigin } from "./cross-origin.js";
import { errorHandler, notFoundHandler, refuseInvalidUtf8 } from "./error-handler.js";
import { jsonBodyOnly } from "./json-body-only.js";
import { storableInput } from "./storable-input.js";
import { assistantRoutes } from "./routes/assistant-routes.js";
import { bulkRunRoutes } from "./routes/bulk-run-routes.js";
import { cronRoutes } from "./routes/cron-routes.js";
import { lifecycleRoutes } from "./routes/lifecycle-routes.js";
import { systemRoutes } from "./routes/system-routes.js";
import { messageRoutes } from "./routes/message-routes.js";
import { runRoutes } from "./routes/run-routes.js";
import { stateRoutes } from "./routes/state-routes.js";
import { storeRoutes } from "./routes/store-routes.js";
import { streamRoutes } from "./routes/stream-routes.js";
import { threadRoutes } from "./routes/thread-routes.js";
import { webRoutes } from "./routes/web-routes.js";

/** The express app: health first, then authenticated LangGraph-shaped routes, then one error renderer. */
export function createHttpApp(services: Services): Express {
  const app = express();
  app.disable("x-powered-by");
  app.use(browserOriginGuard(services.config));
  app.use(crossOrigin(services.config));
  app.use(express.json({ limit: services.config.MAX_BODY_BYTES, type: ["application/json", "application/*+json"], verify: refuseInvalidUtf8 }));
  app.use(storableInput);
  app.use(jsonBodyOnly);
  app.use(systemRoutes(services));
  // The web page is public; it signs in over the same API as any other client.
  app.use(webRoutes(services));
  app.use(authMiddleware(services));
  app.use(lifecycleRoutes(services));
  app.use(cronRoutes(services));
  app.use(threadRoutes(services));
  app.use(stateRoutes(services));
  app.use(bulkRunRoutes(services));
  app.use(runRoutes(services));
  app.use(streamRoutes(services));
  app.use(messageRoutes(services));
  app.use(assistantRoutes(services));
  app.use(storeRoutes(services));
  app.use(notFoundHandler);
  app.use(errorHandler(services.logger));
  return app;
}
