import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { configFrom } from "./command-context.js";
import { langgraphEnv } from "./langgraph-env.js";

describe("langgraph.json's env", () => {
  it("reads a .env file named relative to langgraph.json, or values given inline; nothing when absent", async () => {
    const directory = await mkdtemp(path.join(tmpdir(), "langgraph-env-"));
    const fileConfig = path.join(directory, "langgraph.json");
    await writeFile(fileConfig, JSON.stringify({ graphs: {}, env: ".env" }));
    expect(langgraphEnv(fileConfig)).toEqual({});
    await writeFile(path.join(directory, ".env"), "# a comment\nAUTH_MODE=apikey\nRATE_LIMIT_PER_MINUTE=99\n");
    expect(langgraphEnv(fileConfig)).toEqual({ AUTH_MODE: "apikey", RATE_LIMIT_PER_MINUTE: "99" });
    const inline = path.join(directory, "inline.json");
    await writeFile(inline, JSON.stringify({ graphs: {}, env: { RATE_LIMIT_PER_MINUTE: "42", IGNORED: 1 } }));
    expect(langgraphEnv(inline)).toEqual({ RATE_LIMIT_PER_MINUTE: "42" });
    expect(langgraphEnv(path.join(directory, "absent.json"))).toEqual({});
  });

  it("feeds the configuration, under the process environment", async () => {
    const directory = await mkdtemp(path.join(tmpdir(), "langgraph-env-"));
    const config = path.join(directory, "langgraph.json");
    await writeFile(config, JSON.stringify({ graphs: {}, env: { RATE_LIMIT_PER_MINUTE: "42", WS_HEARTBEAT_MS: "777" } }));
    const previous = process.env.WS_HEARTBEAT_MS;
    process.env.WS_HEARTBEAT_MS = "888";
    try {
      const loaded = configFrom({ config });
      expect(loaded.RATE_LIMIT_PER_MINUTE).toBe(42);
      expect(loaded.WS_HEARTBEAT_MS).toBe(888);
    } finally {
      if (previous === undefined) delete process.env.WS_HEARTBEAT_MS;
      else process.env.WS_HEARTBEAT_MS = previous;
    }
  });
});
