import { dateTimeFormat, relativeTimeFormat } from "../i18n/intl-format.js";
import type { Locale } from "../i18n/locale.js";

const MINUTE = 60;
const HOUR = 3600;
const DAY = 86_400;

/**
 * How long ago an ISO time was, short enough for a sidebar row: "now", "5 min. ago", "3 hr. ago", "yesterday",
 * "4 days ago", then the date ("Mar 4", with the year when it is not this year); in Chinese "现在", "5分钟前", "昨天", "3月4日".
 */
export function relativeTime(iso: string, locale: Locale, now: number = Date.now()): string {
  const time = Date.parse(iso);
  const seconds = (now - time) / 1000;
  const relative = relativeTimeFormat(locale, { numeric: "auto", style: "short" });
  // A little in the future is the clocks disagreeing: "now". Further (an imported message dated ahead), its date.
  if (seconds < -MINUTE) return absoluteDate(locale, time, now);
  if (seconds < MINUTE) return relative.format(0, "second");
  if (seconds < HOUR) return relative.format(-Math.floor(seconds / MINUTE), "minute");
  if (seconds < DAY) return relative.format(-Math.floor(seconds / HOUR), "hour");
  if (seconds < 7 * DAY) return relative.format(-Math.floor(seconds / DAY), "day");
  return absoluteDate(locale, time, now);
}

function absoluteDate(locale: Locale, time: number, now: number): string {
  const sameYear = new Date(time).getFullYear() === new Date(now).getFullYear();
  return dateTimeFormat(locale, sameYear ? { month: "short", day: "numeric" } : { dateStyle: "medium" }).format(time);
}
