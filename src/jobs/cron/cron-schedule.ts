import cronParser from "cron-parser";
import { AppError } from "../../errors/app-error.js";

/** Standard cron has 5 fields; a leading seconds field makes 6. */
const MAX_FIELDS = 6;

/** Whether a string names an IANA time zone this runtime knows (e.g. "Europe/Paris"). */
export function isTimeZone(timezone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: timezone });
    return true;
  } catch {
    return false;
  }
}

/**
 * Check a schedule: standard 5-field cron (`min hour day month weekday`), an optional leading seconds field, or
 * a `@daily`-style alias; read in `timezone` (IANA, default UTC). Throws `invalid_request` naming the problem.
 */
export function assertValidSchedule(schedule: string, timezone: string | null | undefined): void {
  if (timezone && !isTimeZone(timezone)) throw new AppError("invalid_request", `Unknown time zone ${JSON.stringify(timezone)} (use an IANA name such as "Europe/Paris")`);
  const fields = schedule.trim().split(/\s+/);
  if (!schedule.trim().startsWith("@") && (fields.length < 5 || fields.length > MAX_FIELDS)) {
    throw new AppError("invalid_request", `Invalid cron schedule ${JSON.stringify(schedule)}: expected 5 fields (or 6 with seconds)`);
  }
  try {
    cronParser.parseExpression(schedule, { tz: timezone ?? "UTC" }).next();
  } catch (error) {
    throw new AppError("invalid_request", `Invalid cron schedule ${JSON.stringify(schedule)}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/**
 * The first firing strictly after `after`, or null when there is none before `endTime`.
 * @example nextRunDate("0 9 * * 1-5", { timezone: "Europe/Paris", after: new Date() })
 */
export function nextRunDate(schedule: string, options: { timezone?: string | null; after: Date; endTime?: Date | null }): Date | null {
  const interval = cronParser.parseExpression(schedule, { tz: options.timezone ?? "UTC", currentDate: options.after });
  if (!interval.hasNext()) return null;
  const next = interval.next().toDate();
  if (options.endTime && next.getTime() > options.endTime.getTime()) return null;
  return next;
}
