import { Router } from "express";
import type { Services } from "../../services.js";
import { currentUser, param } from "../request-context.js";
import { assistantBody, countAssistantsBody, searchAssistantsBody } from "../schemas.js";

/** `/assistants…`: the graph defaults plus the caller's own assistants. */
export function assistantRoutes(services: Services): Router {
  const router = Router();

  router.post("/assistants", async (request, response) => {
    response.json(await services.assistants.create(currentUser(response).id, assistantBody.parse(request.body ?? {})));
  });

  router.post("/assistants/search", async (request, response) => {
    response.json(await services.assistants.search(currentUser(response).id, searchAssistantsBody.parse(request.body ?? {})));
  });

  router.post("/assistants/count", async (request, response) => {
    // The SDK's `assistants.count` answers the body itself: a bare JSON number.
    response.json(await services.assistants.count(currentUser(response).id, countAssistantsBody.parse(request.body ?? {})));
  });

  router.get("/assistants/:assistant_id", async (request, response) => {
    response.json(await services.assistants.get(currentUser(response).id, param(request, "assistant_id")));
  });

  router.patch("/assistants/:assistant_id", async (request, response) => {
    const body = assistantBody.parse(request.body ?? {});
    response.json(await services.assistants.update(currentUser(response).id, param(request, "assistant_id"), body));
  });

  router.delete("/assistants/:assistant_id", async (request, response) => {
    await services.assistants.delete(currentUser(response).id, param(request, "assistant_id"));
    response.status(204).end();
  });

  return router;
}
