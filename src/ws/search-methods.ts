import { longThreadServices } from "../memory/long-thread-services.js";
import { searchRequestSchema } from "../transcript/search-request.js";
import { defineMethodModule } from "./method-module.js";

/**
 * `messages.search`: ranked transcript search across the caller's threads, or within `thread_ids` (other
 * users' threads are ignored, never revealed). English and Chinese (and mixed) queries; see docs/long-threads.md.
 */
export const SEARCH_METHODS = defineMethodModule({
  params: { "messages.search": searchRequestSchema },
  handlers: {
    "messages.search": async (connection, params, services) => ({
      results: await longThreadServices(services).search.search({ userId: connection.user.id, query: params.query, limit: params.limit, threadIds: params.thread_ids }),
    }),
  },
});
