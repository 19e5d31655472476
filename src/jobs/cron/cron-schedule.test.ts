import { describe, expect, it } from "vitest";
import { assertValidSchedule, isTimeZone, nextRunDate } from "./cron-schedule.js";

describe("nextRunDate", () => {
  it("reads the schedule in UTC by default", () => {
    const next = nextRunDate("0 9 * * *", { after: new Date("2025-03-10T08:59:59Z") });
    expect(next?.toISOString()).toBe("2025-03-10T09:00:00.000Z");
  });

  it("reads the schedule in the given IANA zone", () => {
    // 09:00 in Paris is 08:00 UTC in winter (CET, +01:00).
    const next = nextRunDate("0 9 * * *", { timezone: "Europe/Paris", after: new Date("2025-01-15T07:00:00Z") });
    expect(next?.toISOString()).toBe("2025-01-15T08:00:00.000Z");
  });

  it("follows daylight saving time: 09:00 New York is 14:00 UTC before and 13:00 UTC after the change", () => {
    const before = nextRunDate("0 9 * * *", { timezone: "America/New_York", after: new Date("2025-03-08T00:00:00Z") });
    const after = nextRunDate("0 9 * * *", { timezone: "America/New_York", after: new Date("2025-03-10T00:00:00Z") });
    expect(before?.toISOString()).toBe("2025-03-08T14:00:00.000Z");
    expect(after?.toISOString()).toBe("2025-03-10T13:00:00.000Z");
  });

  it("is strictly after the given time", () => {
    const next = nextRunDate("*/15 * * * *", { after: new Date("2025-05-01T10:15:00Z") });
    expect(next?.toISOString()).toBe("2025-05-01T10:30:00.000Z");
  });

  it("weekdays only: Friday evening's next firing is Monday", () => {
    const next = nextRunDate("30 8 * * 1-5", { timezone: "Asia/Tokyo", after: new Date("2025-06-06T12:00:00Z") });
    // Monday 2025-06-09 08:30 JST = 2025-06-08 23:30 UTC.
    expect(next?.toISOString()).toBe("2025-06-08T23:30:00.000Z");
  });

  it("accepts a leading seconds field", () => {
    const next = nextRunDate("*/10 * * * * *", { after: new Date("2025-05-01T10:00:01Z") });
    expect(next?.toISOString()).toBe("2025-05-01T10:00:10.000Z");
  });

  it("returns null past the end time", () => {
    expect(nextRunDate("0 0 1 1 *", { after: new Date("2025-02-01T00:00:00Z"), endTime: new Date("2025-12-31T00:00:00Z") })).toBeNull();
    expect(nextRunDate("0 0 1 1 *", { after: new Date("2025-02-01T00:00:00Z"), endTime: new Date("2026-01-01T00:00:00Z") })?.toISOString()).toBe("2026-01-01T00:00:00.000Z");
  });
});

describe("assertValidSchedule", () => {
  it("accepts 5 and 6 fields and aliases", () => {
    expect(() => assertValidSchedule("0 9 * * 1-5", "Europe/Paris")).not.toThrow();
    expect(() => assertValidSchedule("0 0 9 * * *", null)).not.toThrow();
    expect(() => assertValidSchedule("@daily", undefined)).not.toThrow();
  });

  it.each([["* * * *"], ["* * * * * * *"], ["61 * * * *"], ["0 25 * * *"], ["hello world"]])("rejects %j as invalid_request", (schedule) => {
    expect(() => assertValidSchedule(schedule, null)).toThrow(expect.objectContaining({ code: "invalid_request" }));
  });

  it("rejects an unknown time zone", () => {
    expect(isTimeZone("Mars/Olympus_Mons")).toBe(false);
    expect(() => assertValidSchedule("0 9 * * *", "Mars/Olympus_Mons")).toThrow(expect.objectContaining({ code: "invalid_request" }));
  });
});
