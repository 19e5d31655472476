import { MemorySaver } from "@langchain/langgraph";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ModelSettings } from "../models/model-settings.js";
import { GraphRegistry } from "../registry/graph-registry.js";
import { AssistantService } from "./assistant-service.js";

// Run settings are validated without a query: the default assistant and withRunSettings read no table.
let pool: pg.Pool;
let registry: GraphRegistry;
beforeAll(async () => {
  pool = new pg.Pool({ connectionString: "postgres://nobody@127.0.0.1:1/unused" });
  registry = await GraphRegistry.load({ configPath: "langgraph.json", checkpointer: new MemorySaver() });
});
afterAll(() => pool.end());

const modelSettings: ModelSettings = { fakeChunkDelayMs: 0, openAiApiKey: "sk-test" };

function service(defaultModel: string): AssistantService {
  return new AssistantService({ pool, registry, modelSettings, toolNames: [], defaultModel });
}

describe("an assistant's temperature and its model", () => {
  it("is refused for a model that takes only its default, whether the assistant or the server chose the model", async () => {
    const onGpt = service("openai:gpt-4o-mini");
    const chat = await onGpt.get("alice", "chat");
    await expect(onGpt.withRunSettings(chat, { model: "openai:o3-mini", temperature: 0 })).rejects.toThrow(
      expect.objectContaining({ code: "invalid_request", message: expect.stringContaining('Model "openai:o3-mini" takes no temperature but its default (1), not 0') as string }) as Error,
    );
    expect((await onGpt.withRunSettings(chat, { temperature: 0 })).context.temperature).toBe(0);

    const onO3 = service("openai:o3-mini");
    await expect(onO3.withRunSettings(chat, { temperature: 0.7 })).rejects.toThrow(/"openai:o3-mini" \(the server's MODEL\) takes no temperature but its default \(1\), not 0\.7: remove "temperature"/);
    expect((await onO3.withRunSettings(chat, { temperature: 1 })).context.temperature).toBe(1);
    expect((await onO3.withRunSettings(chat, { model: "openai:gpt-4o", temperature: 0 })).context.model).toBe("openai:gpt-4o");
  });
});
