import os from "node:os";
import path from "node:path";
import { findLocalModelFile } from "../../src/models/local/local-model-source.js";

/** Where the tests look for the pulled default model: MODEL_CACHE_DIR, as `threadline models pull` fills it. */
export const TEST_MODEL_CACHE_DIR = process.env.MODEL_CACHE_DIR ?? path.join(os.homedir(), ".cache", "threadline", "models");

/**
 * Whether the embedded model's tests can run. Without the file they are skipped on a laptop, but in CI (CI set)
 * a missing model fails the file loudly: these tests must never be silently skipped there.
 */
export function localModelAvailable(): boolean {
  const found = findLocalModelFile({ kind: "default" }, { modelsDir: path.resolve("data/models"), cacheDir: TEST_MODEL_CACHE_DIR });
  if (found) return true;
  if (process.env.CI) {
    throw new Error(
      `The embedded model is not in ${TEST_MODEL_CACHE_DIR} and CI is set: run \`node --import tsx src/main.ts models pull\` ` +
        "(with the same MODEL_CACHE_DIR) before the tests",
    );
  }
  return false;
}
