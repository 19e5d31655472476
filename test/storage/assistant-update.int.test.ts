import { MemorySaver } from "@langchain/langgraph";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AssistantSettings } from "../../src/assistants/assistant-settings.js";
import { AssistantService } from "../../src/assistants/assistant-service.js";
import { GraphRegistry } from "../../src/registry/graph-registry.js";
import { STORAGE_BACKENDS, type StorageBackend } from "./storage-backends.js";

// An update's settings are checked (slowly: a model may load) merged onto the settings it read; another update that
// changes them meanwhile makes it check again on the new ones, never write over them.
const postgres = STORAGE_BACKENDS.filter((backend) => backend.name === "Postgres");

describe.each(postgres)("assistant updates racing a settings change on $name", (kind) => {
  let backend: StorageBackend;
  let registry: GraphRegistry;

  beforeAll(async () => {
    backend = await kind.open();
    registry = await GraphRegistry.load({ configPath: "langgraph.json", checkpointer: new MemorySaver() });
  });
  afterAll(async () => backend.dispose());

  /** A service whose settings check lets another writer change the stored settings while it runs, `races` times. */
  function racedService(races: number): { service: AssistantService; checked: AssistantSettings[] } {
    const checked: AssistantSettings[] = [];
    const checkSettings = async (settings: AssistantSettings) => {
      checked.push(settings);
      if (checked.length > races) return;
      await backend.pool.query("UPDATE assistants SET context = context || jsonb_build_object('first_message', $1::text)", [`race ${checked.length}`]);
    };
    return { service: new AssistantService({ pool: backend.pool, registry, modelSettings: { fakeChunkDelayMs: 0 }, toolNames: [], checkSettings }), checked };
  }

  it("is checked again on the settings another update wrote, and keeps both", async () => {
    const { service, checked } = racedService(1);
    const created = await new AssistantService({ pool: backend.pool, registry, modelSettings: { fakeChunkDelayMs: 0 }, toolNames: [] }).create("ann", { graph_id: "chat", name: "Raced" });
    const updated = await service.update("ann", created.assistant_id, { name: "Renamed", context: { instructions: "Be brief" } });
    expect(checked).toEqual([{ instructions: "Be brief" }, { instructions: "Be brief", first_message: "race 1" }]);
    expect(updated).toMatchObject({ name: "Renamed", version: 2, context: { instructions: "Be brief", first_message: "race 1" } });
  });

  it("answers 409 conflict after five lost races, having written nothing", async () => {
    const { service, checked } = racedService(Infinity);
    const created = await new AssistantService({ pool: backend.pool, registry, modelSettings: { fakeChunkDelayMs: 0 }, toolNames: [] }).create("bob", { graph_id: "chat", name: "Contended" });
    await expect(service.update("bob", created.assistant_id, { name: "Never", context: { instructions: "Never" } })).rejects.toMatchObject({ code: "conflict" });
    expect(checked).toHaveLength(5);
    const { rows } = await backend.pool.query<{ name: string; version: number; context: AssistantSettings }>("SELECT name, version, context FROM assistants WHERE assistant_id = $1", [created.assistant_id]);
    expect(rows).toEqual([{ name: "Contended", version: 1, context: { first_message: "race 5" } }]);
  });
});
