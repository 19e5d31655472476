import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { runCli } from "./cli-process.js";
import { SPAWN_TIMEOUT_MS, useCliTestServer } from "./cli-test-server.js";

// The terminal client shows nothing of a graph's custom events (their format is the graph's own): only the replies.
const fixture = useCliTestServer({ LANGGRAPH_CONFIG: fileURLToPath(new URL("../helpers/progress-graphs.langgraph.json", import.meta.url)) });

describe("threadline chat with a graph writing custom chunks", () => {
  it("prints the replies and nothing of the custom events", { timeout: SPAWN_TIMEOUT_MS }, async () => {
    const result = await runCli(["--once", "--url", fixture.server.url, "--new", "--assistant", "progress"], { input: "go" });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toBe("streamed reply\nfinished\n");
  });
});
