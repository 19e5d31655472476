import type { Item } from "@langchain/langgraph-checkpoint";
import { Router } from "express";
import type { Services } from "../../services.js";
import { deleteItemBody, getItemQuery, listNamespacesBody, parseStoreRequest, putItemBody, searchItemsBody } from "../../store/store-requests.js";
import { currentUser } from "../request-context.js";

/** An item as LangGraph Platform answers it (snake_case times). */
interface ItemResponse {
  namespace: string[];
  key: string;
  value: Record<string, unknown>;
  created_at: string;
  updated_at: string;
}

/**
 * LangGraph Platform's store API (`client.store.*`): long-term memory items of the authenticated user. The owner
 * comes from the credential only; namespaces are the caller's own, so another user's items are never found.
 */
export function storeRoutes(services: Services): Router {
  const router = Router();
  const items = services.itemStore;

  router.put("/store/items", async (request, response) => {
    const body = parseStoreRequest(putItemBody, request.body);
    await items.put({ ownerId: currentUser(response).id, namespace: body.namespace, key: body.key, value: body.value, ttlMinutes: body.ttl });
    response.status(204).end();
  });

  router.get("/store/items", async (request, response) => {
    const query = parseStoreRequest(getItemQuery, request.query);
    const item = await items.get({ ownerId: currentUser(response).id, namespace: query.namespace, key: query.key, refreshTtl: query.refresh_ttl });
    // LangGraph answers a missing item with 200 and `null` (the SDK's getItem then returns null), not 404.
    response.json(item ? toResponse(item) : null);
  });

  router.delete("/store/items", async (request, response) => {
    const body = parseStoreRequest(deleteItemBody, request.body);
    await items.delete({ ownerId: currentUser(response).id, namespace: body.namespace, key: body.key });
    response.status(204).end();
  });

  router.post("/store/items/search", async (request, response) => {
    const body = parseStoreRequest(searchItemsBody, request.body);
    const found = await items.search({
      ownerId: currentUser(response).id,
      namespacePrefix: body.namespace_prefix,
      filter: body.filter ?? undefined,
      query: body.query ?? undefined,
      limit: body.limit,
      offset: body.offset,
      refreshTtl: body.refresh_ttl ?? undefined,
    });
    response.json({ items: found.map(toResponse) });
  });

  router.post("/store/namespaces", async (request, response) => {
    const body = parseStoreRequest(listNamespacesBody, request.body);
    const namespaces = await items.listNamespaces({
      ownerId: currentUser(response).id,
      prefix: body.prefix ?? undefined,
      suffix: body.suffix ?? undefined,
      maxDepth: body.max_depth ?? undefined,
      limit: body.limit,
      offset: body.offset,
    });
    response.json({ namespaces });
  });

  return router;
}

function toResponse(item: Item): ItemResponse {
  return { namespace: item.namespace, key: item.key, value: item.value, created_at: item.createdAt.toISOString(), updated_at: item.updatedAt.toISOString() };
}
