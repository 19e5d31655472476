import type { Services } from "../services.js";
import { TranscriptSearch } from "../transcript/transcript-search.js";
import { ConversationImporter } from "./conversation-importer.js";

/** The long-thread features the transports use: transcript search and conversation import. */
export interface LongThreadServices {
  search: TranscriptSearch;
  importer: ConversationImporter;
}

const built = new WeakMap<Services, LongThreadServices>();

/**
 * The long-thread services of an app, built on first use from its services.
 */
export function longThreadServices(services: Services): LongThreadServices {
  let existing = built.get(services);
  if (!existing) {
    const { models } = services;
    existing = {
      search: new TranscriptSearch(services.pool),
      importer: new ConversationImporter({ pool: services.pool, sessions: services.sessions, assistants: services.assistants, threadState: services.threadState, models, saver: services.checkpointer }),
    };
    built.set(services, existing);
  }
  return existing;
}
