import { describe, expect, it } from "vitest";
import { runCli } from "./cli-process.js";
import { SPAWN_TIMEOUT_MS, useCliTestServer } from "./cli-test-server.js";

const fixture = useCliTestServer({ AUTH_MODE: "apikey" });

describe("threadline chat with AUTH_MODE=apikey", () => {
  it("exits 3 when the key is refused and answers with a key from --api-key or THREADLINE_API_KEY", { timeout: SPAWN_TIMEOUT_MS }, async () => {
    const { key } = await fixture.server.services.apiKeys.create("carol");
    const [refused, fromEnv, fromFlag] = await Promise.all([
      runCli(["--once", "--url", fixture.server.url, "--api-key", "tl_nope"], { input: "hi" }),
      runCli(["--once", "--url", fixture.server.url], { input: "hello with a key", env: { THREADLINE_API_KEY: key } }),
      runCli(["--once", "--url", fixture.server.url, "--api-key", key, "--window", "flag"], { input: "flag key" }),
    ]);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toContain("refused the API key");
    expect(fromEnv.stdout).toBe("You said: hello with a key\n");
    expect(fromEnv.code).toBe(0);
    expect(fromFlag.stdout).toBe("You said: flag key\n");
  });
});
