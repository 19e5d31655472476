import { CRON_METHOD_HANDLERS, CRON_METHOD_PARAMS } from "./cron-methods.js";
import { defineMethodModule, type MethodModule } from "./method-module.js";
import { SEARCH_METHODS } from "./search-methods.js";

/** Feature modules whose methods the WebSocket server serves besides the core ones in protocol.ts. */
export const METHOD_MODULES: readonly MethodModule[] = [
  defineMethodModule({ params: CRON_METHOD_PARAMS, handlers: CRON_METHOD_HANDLERS }),
  SEARCH_METHODS,
];
