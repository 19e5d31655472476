import { ModelProvider } from "../models/model-provider.js";
import { modelSettingsFromConfig } from "../models/model-settings.js";
import type { Services } from "../services.js";
import { TranscriptSearch } from "../transcript/transcript-search.js";
import { ConversationImporter, type ModelSource } from "./conversation-importer.js";

/** The long-thread features the transports use: transcript search and conversation import. */
export interface LongThreadServices {
  search: TranscriptSearch;
  importer: ConversationImporter;
}

const built = new WeakMap<Services, LongThreadServices>();

/**
 * The long-thread services of an app, built on first use from its services. They could live in `Services`
 * (src/app.ts); until then the importer gets its own ModelProvider (models are cheap to build; the embedded
 * model's runtime is shared process-wide) unless `services.models` exists.
 */
export function longThreadServices(services: Services): LongThreadServices {
  let existing = built.get(services);
  if (!existing) {
    const models = (services as Services & { models?: ModelSource }).models ?? new ModelProvider({ defaultModel: services.config.MODEL, settings: modelSettingsFromConfig(services.config, services.logger) });
    existing = {
      search: new TranscriptSearch(services.pool),
      importer: new ConversationImporter({ pool: services.pool, sessions: services.sessions, assistants: services.assistants, threadState: services.threadState, models }),
    };
    built.set(services, existing);
  }
  return existing;
}
