import { Router } from "express";
import type { JobServices } from "../../jobs/job-system.js";
import { pruneThreadsBody } from "../../jobs/lifecycle/thread-ttl.js";
import { currentUser } from "../request-context.js";

/** `POST /threads/prune`: delete the caller's threads or keep only their latest checkpoint. */
export function lifecycleRoutes(services: Pick<JobServices, "lifecycle">): Router {
  const router = Router();

  router.post("/threads/prune", async (request, response) => {
    const body = pruneThreadsBody.parse(request.body ?? {});
    response.json(await services.lifecycle.prune(currentUser(response).id, body));
  });

  return router;
}
