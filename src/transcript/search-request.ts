import { z } from "zod";
import { MAX_QUERY_CHARS } from "./search-query.js";

/** The fields of a search request, shared by `messages.search` (WebSocket) and the HTTP search routes. */
export const searchRequestFields = {
  query: z.string().trim().min(1).max(MAX_QUERY_CHARS),
  limit: z.number().int().min(1).max(100).default(20),
  thread_ids: z.array(z.uuid()).min(1).max(100).optional(),
};

/** `POST /messages/search` and `messages.search`: across the caller's threads, or some of them. */
export const searchRequestSchema = z.strictObject(searchRequestFields);

/** `POST /threads/{id}/messages/search`: within one thread. */
export const threadSearchRequestSchema = z.strictObject({ query: searchRequestFields.query, limit: searchRequestFields.limit });
