import { AppError } from "../errors/app-error.js";
import { parseModelSpec } from "../models/model-spec.js";
import type { ModelProvider } from "../models/model-provider.js";
import type { ModelSettings } from "../models/model-settings.js";
import { missingModelName, parseLocalModelSource } from "../models/local/local-model-source.js";
import { resolveLocalModelFile } from "../models/local/pull-model.js";
import type { AssistantSettings } from "./assistant-settings.js";

/**
 * An embedded model an assistant names by `hf:` URI or URL must have been pulled: the synchronous settings check
 * finds files by name only, and such a model would otherwise fail every run of the assistant (assistants never
 * download: `threadline models pull` does, once).
 */
export function assistantModelCheck(deps: { models: ModelProvider; settings: ModelSettings }): (settings: AssistantSettings) => Promise<void> {
  return async (settings) => {
    const spec = deps.models.modelFor(settings);
    const parsed = parseModelSpec(spec);
    const local = deps.settings.local;
    if (parsed.provider !== "local" || !local) return;
    const source = parseLocalModelSource(parsed.model);
    if (source.kind !== "remote" || (await resolveLocalModelFile(source, local))) return;
    throw new AppError("invalid_request", `Model "${spec}": ${missingModelName(source)} has not been pulled; run \`threadline models pull ${source.uri}\` first`);
  };
}
