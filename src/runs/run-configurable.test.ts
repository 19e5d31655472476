import { describe, expect, it } from "vitest";
import { cronRunOptions } from "../jobs/cron/cron-run-options.js";
import { runConfigFrom } from "./run-config.js";
import { graphOwnConfigurable, recursionLimitOf } from "./run-configurable.js";
import type { Run } from "./run.js";

describe("a run's configurable", () => {
  it("keeps the graph's own keys: not Threadline's settings, ids, checkpoint keys, __ or langgraph_ keys", () => {
    const given = { my_setting: 1, temperature: 0.3, thread_id: "t", user_id: "u", checkpoint_ns: "", __pregel_x: 1, langgraph_auth_user: "x", nested: { a: 1 } };
    expect(graphOwnConfigurable(given)).toEqual({ my_setting: 1, nested: { a: 1 } });
    expect(graphOwnConfigurable({ model: "fake", run_id: "r" })).toBeUndefined();
  });

  it("is stored with a run's config, from a request and from a cron's payload; settings stay settings", () => {
    expect(runConfigFrom({ config: { configurable: { my_setting: "x", max_tokens: 64, thread_id: "t" } } })).toEqual({ settings: { max_tokens: 64 }, configurable: { my_setting: "x" } });
    expect(runConfigFrom({ config: { configurable: { thread_id: "t" } } })).toBeUndefined();
    expect(cronRunOptions({ config: { configurable: { my_setting: "x" } } })).toEqual({ config: { configurable: { my_setting: "x" } } });
  });

  it("the recursion limit is the run's, else the assistant's (a stored value that is no positive integer is none)", () => {
    const run = (limit?: number) => ({ config: limit === undefined ? null : { recursion_limit: limit } }) as Run;
    expect(recursionLimitOf(run(7), { config: { recursion_limit: 3 } })).toBe(7);
    expect(recursionLimitOf(run(), { config: { recursion_limit: 3 } })).toBe(3);
    expect(recursionLimitOf(run(), { config: { recursion_limit: "3" as unknown as number } })).toBeUndefined();
    expect(recursionLimitOf(run(), { config: {} })).toBeUndefined();
  });
});
