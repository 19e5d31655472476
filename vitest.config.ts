import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts", "tools/**/*.test.ts", "graphs/**/*.test.ts"],
    // Generous: CI shares two cores with Postgres, chromium and the embedded model; no test asserts on time.
    testTimeout: 120_000,
    hookTimeout: 180_000,
    // Two cores: integration files each own a database, so modest parallelism is safe.
    maxWorkers: 2,
    pool: "forks",
    // Each test file drops its database WITH (FORCE) at the end; an idle pooled connection of a server still
    // closing is then terminated by Postgres (57P01). That is the teardown we asked for, not a defect: ignore
    // exactly that error and let every other unhandled error fail the run.
    onUnhandledError: (error) => (error as { code?: unknown }).code !== "57P01",
  },
});
