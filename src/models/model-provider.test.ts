import { describe, expect, it } from "vitest";
import { ModelProvider } from "./model-provider.js";

describe("ModelProvider", () => {
  it("reuses a model per settings, and keeps a bounded number of them (per-run seeds are user input)", async () => {
    const provider = new ModelProvider({ defaultModel: "fake", settings: { fakeChunkDelayMs: 0 } });
    const first = await provider.get({ seed: 1 });
    expect(await provider.get({ seed: 1 })).toBe(first);
    for (let seed = 2; seed <= 300; seed += 1) await provider.get({ seed });
    // The least recently used went: the first is built again.
    expect(await provider.get({ seed: 1 })).not.toBe(first);
    expect(await provider.get({ seed: 300 })).toBe(await provider.get({ seed: 300 }));
  });
});
