import type { RunningServer } from "../../src/app.js";
import type { ConfigOverrides } from "../../src/config.js";
import type { ToolDefinition } from "../../src/tools/tool-definition.js";
import { useTestServer } from "../helpers/test-server.js";

/** Each spawn loads the whole `threadline` command (main.ts imports the server eagerly): allow for it. */
export const SPAWN_TIMEOUT_MS = 180_000;

/** The server a CLI test file talks to; read it inside tests (it exists once `beforeAll` has run). */
export interface CliTestServer {
  readonly server: RunningServer;
}

/**
 * A real server (fake model) on its own database for the CLI tests of one file: started before its tests,
 * closed and dropped after them. `env` overrides config, e.g. `FAKE_CHUNK_DELAY_MS` to watch a reply stream.
 */
export function useCliTestServer(env: ConfigOverrides = {}, tools?: readonly ToolDefinition[]): CliTestServer {
  return useTestServer({ env, ...(tools ? { tools } : {}) });
}
