import { Router } from "express";
import { assertSupportedCronSelect, countCronsBody, createCronBody, searchCronsBody, updateCronBody } from "../../jobs/cron/cron-requests.js";
import type { JobServices } from "../../jobs/job-system.js";
import { currentUser, param } from "../request-context.js";
import { selectFields } from "../search-schemas.js";

/** `/runs/crons…` and `/threads/{id}/runs/crons`: LangGraph Platform's cron endpoints, scoped to the caller. */
export function cronRoutes(services: Pick<JobServices, "crons">): Router {
  const router = Router();

  router.post("/threads/:thread_id/runs/crons", async (request, response) => {
    const body = createCronBody.parse(request.body ?? {});
    response.json(await services.crons.create(currentUser(response).id, { ...body, thread_id: param(request, "thread_id") }));
  });

  router.post("/runs/crons", async (request, response) => {
    const body = createCronBody.parse(request.body ?? {});
    response.json(await services.crons.create(currentUser(response).id, body));
  });

  router.post("/runs/crons/search", async (request, response) => {
    const body = searchCronsBody.parse(request.body ?? {});
    assertSupportedCronSelect(body);
    const crons = await services.crons.search(currentUser(response).id, body);
    response.json(crons.map((cron) => selectFields({ ...cron }, body.select)));
  });

  router.post("/runs/crons/count", async (request, response) => {
    response.json(await services.crons.count(currentUser(response).id, countCronsBody.parse(request.body ?? {})));
  });

  router.patch("/runs/crons/:cron_id", async (request, response) => {
    const body = updateCronBody.parse(request.body ?? {});
    response.json(await services.crons.update(currentUser(response).id, param(request, "cron_id"), body));
  });

  router.delete("/runs/crons/:cron_id", async (request, response) => {
    await services.crons.delete(currentUser(response).id, param(request, "cron_id"));
    response.status(204).end();
  });

  return router;
}
