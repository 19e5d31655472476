import { fileURLToPath } from "node:url";
import { Client } from "@langchain/langgraph-sdk";
import { beforeAll } from "vitest";
import type { RunningServer } from "../../src/app.js";
import { useTestServer } from "./test-server.js";

/**
 * For one test file: a real server (fake model, fresh database) declaring the graphs of `langgraphJson` (a file in
 * test/helpers), and an SDK client without a key for it. Read `.server` and `.sdk` inside tests and hooks.
 */
export function useGraphsTestServer(langgraphJson: string): { readonly server: RunningServer; readonly sdk: Client } {
  const fixture = useTestServer({ env: { LANGGRAPH_CONFIG: fileURLToPath(new URL(langgraphJson, import.meta.url)) } });
  let sdk: Client | undefined;
  beforeAll(() => {
    sdk = new Client({ apiUrl: fixture.server.url, apiKey: null });
  });
  return {
    get server() {
      return fixture.server;
    },
    get sdk() {
      if (!sdk) throw new Error("the SDK client is not ready (used outside the tests)");
      return sdk;
    },
  };
}
