import { describe, expect, it } from "vitest";
import { isUuid } from "../db/ids.js";
import { stableUuid } from "./stable-id.js";

describe("stableUuid", () => {
  it("is a valid UUID, the same for the same parts and different otherwise", () => {
    const id = stableUuid("cron-fire", "c1", "2025-01-01T00:00:00.000Z");
    expect(isUuid(id)).toBe(true);
    expect(stableUuid("cron-fire", "c1", "2025-01-01T00:00:00.000Z")).toBe(id);
    expect(stableUuid("cron-fire", "c1", "2025-01-01T00:01:00.000Z")).not.toBe(id);
    expect(stableUuid("cron-fire", "c1x", "")).not.toBe(stableUuid("cron-fire", "c1", "x"));
  });
});
