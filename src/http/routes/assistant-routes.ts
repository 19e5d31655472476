import { Router } from "express";
import type { Services } from "../../services.js";
import type { Request, Response } from "express";
import type { Assistant } from "../../assistants/assistant.js";
import type { RunnableGraph } from "../../registry/graph-registry.js";
import { currentUser, param } from "../request-context.js";
import { drawGraph, graphSchemas, subgraphSchemas } from "../../registry/graph-introspection.js";
import { assistantBody, assistantVersionsBody, graphQuery, setLatestAssistantBody, subgraphsQuery } from "../schemas.js";
import { countAssistantsBody, searchAssistantsBody, selectFields } from "../search-schemas.js";

/** `/assistants…`: the graph defaults plus the caller's own assistants. */
export function assistantRoutes(services: Services): Router {
  const router = Router();

  router.post("/assistants", async (request, response) => {
    response.json(await services.assistants.create(currentUser(response).id, assistantBody.parse(request.body ?? {})));
  });

  router.post("/assistants/search", async (request, response) => {
    const body = searchAssistantsBody.parse(request.body ?? {});
    const page = await services.assistants.search(currentUser(response).id, body);
    // LangGraph's next-page offset, which the SDK returns with `includePagination`; absent on the last page.
    if (page.has_more) response.setHeader("X-Pagination-Next", String(body.offset + body.limit));
    response.json(page.assistants.map((assistant) => selectFields({ ...assistant }, body.select)));
  });

  router.post("/assistants/count", async (request, response) => {
    // The SDK's `assistants.count` answers the body itself: a bare JSON number.
    response.json(await services.assistants.count(currentUser(response).id, countAssistantsBody.parse(request.body ?? {})));
  });

  router.get("/assistants/:assistant_id", async (request, response) => {
    response.json(await services.assistants.get(currentUser(response).id, param(request, "assistant_id")));
  });

  router.get("/assistants/:assistant_id/graph", async (request, response) => {
    const { xray } = graphQuery.parse(request.query);
    const { graph } = await assistantGraph(services, request, response);
    response.json(await drawGraph(graph, xray));
  });

  router.get("/assistants/:assistant_id/schemas", async (request, response) => {
    const { assistant, graph } = await assistantGraph(services, request, response);
    response.json(graphSchemas(assistant.graph_id, graph));
  });

  // The SDK puts the namespace in the path (`/subgraphs/{namespace}`) when it is given.
  router.get("/assistants/:assistant_id/subgraphs{/:namespace}", async (request, response) => {
    const { recurse } = subgraphsQuery.parse(request.query);
    const namespace = (request.params as { namespace?: string }).namespace;
    const { assistant, graph } = await assistantGraph(services, request, response);
    response.json(await subgraphSchemas(assistant.graph_id, graph, { namespace, recurse }));
  });

  router.patch("/assistants/:assistant_id", async (request, response) => {
    const body = assistantBody.parse(request.body ?? {});
    response.json(await services.assistants.update(currentUser(response).id, param(request, "assistant_id"), body));
  });

  router.post("/assistants/:assistant_id/versions", async (request, response) => {
    const query = assistantVersionsBody.parse(request.body ?? {});
    response.json(await services.assistants.listVersions(currentUser(response).id, param(request, "assistant_id"), query));
  });

  router.post("/assistants/:assistant_id/latest", async (request, response) => {
    const { version } = setLatestAssistantBody.parse(request.body ?? {});
    response.json(await services.assistants.setLatest(currentUser(response).id, param(request, "assistant_id"), version));
  });

  router.delete("/assistants/:assistant_id", async (request, response) => {
    await services.assistants.delete(currentUser(response).id, param(request, "assistant_id"));
    response.status(204).end();
  });

  return router;
}

/** The caller's assistant of the route (not_found for another user's) and the graph it runs, built with its settings. */
async function assistantGraph(services: Services, request: Request, response: Response): Promise<{ assistant: Assistant; graph: RunnableGraph }> {
  const assistant = await services.assistants.get(currentUser(response).id, param(request, "assistant_id"));
  return { assistant, graph: await services.threadState.graphForAssistant(assistant) };
}
