// Numbers, dates, durations and sizes in a locale's own conventions, through Intl. Formatters are cached per
// locale and options: building one is far slower than using it, and a sidebar formats a time per row.
import type { Locale } from "./locale.js";

const cache = new Map<string, Intl.NumberFormat | Intl.DateTimeFormat | Intl.RelativeTimeFormat | Intl.PluralRules>();

function cached<T extends Intl.NumberFormat | Intl.DateTimeFormat | Intl.RelativeTimeFormat | Intl.PluralRules>(kind: string, locale: Locale, options: object, create: () => T): T {
  const key = `${kind}|${locale}|${JSON.stringify(options)}`;
  let formatter = cache.get(key) as T | undefined;
  if (!formatter) {
    formatter = create();
    cache.set(key, formatter);
  }
  return formatter;
}

/** A cached Intl.NumberFormat. */
export function numberFormat(locale: Locale, options: Intl.NumberFormatOptions = {}): Intl.NumberFormat {
  return cached("number", locale, options, () => new Intl.NumberFormat(locale, options));
}

/** A cached Intl.DateTimeFormat. */
export function dateTimeFormat(locale: Locale, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  return cached("date", locale, options, () => new Intl.DateTimeFormat(locale, options));
}

/** A cached Intl.RelativeTimeFormat. */
export function relativeTimeFormat(locale: Locale, options: Intl.RelativeTimeFormatOptions): Intl.RelativeTimeFormat {
  return cached("relative", locale, options, () => new Intl.RelativeTimeFormat(locale, options));
}

/** A cached Intl.PluralRules (cardinal). */
export function pluralRules(locale: Locale): Intl.PluralRules {
  return cached("plural", locale, {}, () => new Intl.PluralRules(locale));
}

/** Date and time, for tooltips: "Jan 5, 2026, 3:04 PM", "2026年1月5日 15:04". */
export function formatDateTime(locale: Locale, value: string | number | Date): string {
  return dateTimeFormat(locale, { dateStyle: "medium", timeStyle: "short" }).format(new Date(value));
}

/** Time of day with seconds: "3:04:05 PM", "15:04:05". */
export function formatTime(locale: Locale, value: string | number | Date): string {
  return dateTimeFormat(locale, { timeStyle: "medium" }).format(new Date(value));
}

/** A tool call's duration: "42 ms", "1.3 sec"; "42毫秒", "1.3秒". */
export function formatDuration(locale: Locale, milliseconds: number): string {
  if (milliseconds < 1000) return numberFormat(locale, { style: "unit", unit: "millisecond", maximumFractionDigits: 0 }).format(milliseconds);
  return numberFormat(locale, { style: "unit", unit: "second", minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(milliseconds / 1000);
}

/** A whole number with the language's digit grouping: "100,000". */
export function formatCount(locale: Locale, count: number): string {
  return numberFormat(locale, { maximumFractionDigits: 0 }).format(count);
}

/** A size in bytes as MB (one decimal at most) from 1 MiB, else KB: "1 MB", "16 KB". */
export function formatBytes(locale: Locale, bytes: number): string {
  if (bytes >= 1024 * 1024) return numberFormat(locale, { style: "unit", unit: "megabyte", maximumFractionDigits: 1 }).format(bytes / (1024 * 1024));
  // Intl writes "16 kB" (SI); the page has always said KB, as people do for 1024-byte kilobytes.
  return numberFormat(locale, { style: "unit", unit: "kilobyte", maximumFractionDigits: 0 }).format(Math.max(1, Math.round(bytes / 1024))).replace("kB", "KB");
}
