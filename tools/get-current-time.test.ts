import { describe, expect, it } from "vitest";
import type { ToolContext } from "../src/tools/tool-definition.js";
import { getCurrentTime } from "./get-current-time.js";

describe("get_current_time", () => {
  it("answers in an IANA time zone", async () => {
    const result = JSON.parse(await getCurrentTime.execute({ time_zone: "Asia/Shanghai" }, {} as ToolContext)) as Record<string, string>;
    expect(result.time_zone).toBe("Asia/Shanghai");
    expect(Date.parse(result.iso ?? "")).not.toBeNaN();
    expect(result.local).toMatch(/China Standard Time|GMT\+8/);
  });

  it("defaults to UTC", () => {
    expect(getCurrentTime.schema.parse({})).toEqual({ time_zone: "UTC" });
  });

  it("rejects unknown zones with a helpful message", async () => {
    await expect(getCurrentTime.execute({ time_zone: "Mars/Olympus" }, {} as ToolContext)).rejects.toThrow(/Unknown time zone "Mars\/Olympus"/);
  });
});
